package minutes

import (
	"fmt"
	"strings"

	"quorum/meetings"
)

// Exempt items are those a board took in private (the public excluded for exempt
// information, such as under Schedule 12A of the Local Government Act 1972). The record of
// their discussion is kept with the minutes but not published: those outside the board
// read each one's heading and why it was private, as the agenda shows them.

// ExemptItems are the numbers of the meeting's exempt agenda items, with their reasons.
func ExemptItems(m *meetings.Meeting) map[string]string {
	var out map[string]string
	for _, it := range m.Items {
		if it.Exempt {
			if out == nil {
				out = map[string]string{}
			}
			out[it.Number] = it.ExemptReason
		}
	}
	return out
}

// WithoutExempt is the minutes with the text under each exempt item's heading replaced by
// a line saying it was considered in private and why. An item's text runs to the next
// heading (another item, a sub-item, or a heading such as "Close of meeting"), headings
// in fenced code not counted; a sub-item is private only if its own agenda item is.
func WithoutExempt(src []byte, exempt map[string]string) []byte {
	if len(exempt) == 0 {
		return src
	}
	parsed := Parse(src, Options{})
	private := map[int]string{} // heading line (1-based) -> reason
	for _, it := range parsed.Items {
		if reason, ok := exempt[it.Number]; ok {
			private[it.Line] = reason
		}
	}
	if len(private) == 0 {
		return src
	}
	lines := strings.SplitAfter(string(src), "\n")
	var b strings.Builder
	b.Grow(len(src))
	var fence string // the fence of the open code block, if any
	skipping := false
	for i, line := range lines {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		heading := false
		if fence == "" {
			if f := fenceOf(trimmed); f != "" {
				fence = f
			} else {
				heading = sectionHeading(trimmed)
			}
		} else if strings.HasPrefix(trimmed, fence) {
			fence = ""
		}
		if reason, ok := private[n]; ok {
			b.WriteString(line)
			if !strings.HasSuffix(line, "\n") {
				b.WriteString("\n")
			}
			b.WriteString("\n")
			if reason = oneLine(reason); reason != "" {
				fmt.Fprintf(&b, "This item was considered in private (%s).\n\n", reason)
			} else {
				b.WriteString("This item was considered in private.\n\n")
			}
			skipping = true
			continue
		}
		if skipping && heading {
			skipping = false
		}
		if !skipping {
			b.WriteString(line)
		}
	}
	return []byte(b.String())
}

// fenceOf is the fence a line opens a code block with (``` or ~~~), or "".
func fenceOf(trimmed string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(trimmed, f) {
			return f
		}
	}
	return ""
}

// sectionHeading: a markdown heading of level 1 to 3 ("# ", "## ", "### ").
func sectionHeading(trimmed string) bool {
	level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
	if level < 1 || level > 3 {
		return false
	}
	rest := trimmed[level:]
	return rest == "" || rest[0] == ' ' || rest[0] == '\t'
}
