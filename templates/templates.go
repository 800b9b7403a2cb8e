// Package templates holds Quorum's pages, embedded in the binary so that it runs from any
// directory. Each page file defines "title" and "content"; layout.html wraps them.
package templates

import "embed"

// FS holds every page and partial.
//
//go:embed *.html
var FS embed.FS
