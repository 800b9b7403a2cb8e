package actions

import (
	"fmt"
	"html"
	"strings"
)

// Chart colours: a dark blue and a dark green from the GOV.UK palette, both with enough
// contrast on white (and told apart by their legend and pattern of position, not colour
// alone).
const (
	chartOpen      = "#1d70b8"
	chartCompleted = "#00703c"
	chartInk       = "#0b0c0c"
	chartGrid      = "#b1b4b6"
)

// ChartSVG draws the dashboard's series as a small grouped bar chart: open and completed
// actions at each meeting. It is plain SVG drawn on the server (no script), with a title
// and a description that screen readers announce; the page shows the same figures as a
// table beside it. boardName goes into the title.
func ChartSVG(boardName string, series []Point) string {
	const (
		width, height = 640, 260
		left, right   = 44, 12
		top, bottom   = 36, 44
	)
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	most := 0
	for _, p := range series {
		most = max(most, p.Open, p.Completed)
	}
	step := niceStep(most)
	ceil := step * 4
	for ceil < most {
		ceil += step
	}
	if ceil == 0 {
		ceil = 4
		step = 1
	}

	title := "Open and completed actions at the last meetings"
	if boardName != "" {
		title += ": " + boardName
	}
	var desc strings.Builder
	if len(series) == 0 {
		desc.WriteString("No meetings have been held yet.")
	}
	for i, p := range series {
		if i > 0 {
			desc.WriteString("; ")
		}
		fmt.Fprintf(&desc, "%s: %d open, %d completed", p.StartsAt.In(london).Format("2 January 2006"), p.Open, p.Completed)
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="actions-chart-title actions-chart-desc" font-family="Arial, sans-serif" font-size="12">`, width, height)
	fmt.Fprintf(&b, `<title id="actions-chart-title">%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<desc id="actions-chart-desc">%s</desc>`, html.EscapeString(desc.String()))
	// legend
	fmt.Fprintf(&b, `<g aria-hidden="true"><rect x="%d" y="10" width="12" height="12" fill="%s"/><text x="%d" y="20" fill="%s">Open</text>`, left, chartOpen, left+16, chartInk)
	fmt.Fprintf(&b, `<rect x="%d" y="10" width="12" height="12" fill="%s"/><text x="%d" y="20" fill="%s">Completed since the meeting before</text></g>`, left+70, chartCompleted, left+86, chartInk)
	// grid and y axis
	b.WriteString(`<g aria-hidden="true">`)
	for v := 0; v <= ceil; v += step {
		y := float64(top) + plotH - plotH*float64(v)/float64(ceil)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y, width-right, y, chartGrid)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="%s">%d</text>`, left-6, y+4, chartInk, v)
	}
	b.WriteString(`</g>`)
	if n := len(series); n > 0 {
		slot := plotW / float64(n)
		bar := slot * 0.32
		for i, p := range series {
			x0 := float64(left) + slot*float64(i) + slot*0.15
			for j, v := range []int{p.Open, p.Completed} {
				h := plotH * float64(v) / float64(ceil)
				colour, label := chartOpen, "open"
				if j == 1 {
					colour, label = chartCompleted, "completed"
				}
				x := x0 + float64(j)*bar
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d %s</title></rect>`,
					x, float64(top)+plotH-h, bar, h, colour, p.StartsAt.In(london).Format("2 Jan 2006"), v, label)
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s" aria-hidden="true">%s</text>`,
				x0+bar, height-bottom+16, chartInk, p.StartsAt.In(london).Format("Jan"))
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s" aria-hidden="true">%s</text>`,
				x0+bar, height-bottom+30, chartInk, p.StartsAt.In(london).Format("2006"))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`, left, top+int(plotH), width-right, top+int(plotH), chartInk)
	b.WriteString(`</svg>`)
	return b.String()
}

// niceStep is a gridline step (1, 2, 5, 10, 20, 50 ...) giving about four lines up to max.
func niceStep(most int) int {
	if most <= 4 {
		return 1
	}
	for mag := 1; ; mag *= 10 {
		for _, m := range []int{1, 2, 5} {
			if s := m * mag; most <= s*4 {
				return s
			}
		}
	}
}
