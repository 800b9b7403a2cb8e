// Package static holds the site's CSS, scripts and images, embedded in the binary.
// GOV.UK Frontend's compiled CSS is vendored here (see README): no crown, no GOV.UK
// marks, Arial instead of the restricted GDS Transport font.
package static

import "embed"

// FS holds every static file.
//
//go:embed css js images
var FS embed.FS
