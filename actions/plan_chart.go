package actions

import (
	"fmt"
	"html"
	"strings"
)

// RAG colours on the chart: GOV.UK's red, orange, green and blue, and mid-grey for
// actions not yet rated. Each band is also named in the legend, in the bar's tooltip and
// in the table beside the chart, so the colours are never the only way to tell them apart.
var ragChartColours = []struct{ label, colour string }{
	{"Red", "#d4351c"}, {"Amber", "#f47738"}, {"Green", "#00703c"}, {"Blue (complete)", "#1d70b8"}, {"Not set", "#b1b4b6"},
}

// PlanChartSVG draws the plan's RAG counts over time as stacked bars, one a point: plain
// SVG drawn on the server, with a title and a description for screen readers.
func PlanChartSVG(planName string, series []RAGPoint) string {
	const (
		width, height = 640, 280
		left, right   = 44, 12
		top, bottom   = 56, 40
	)
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	most := 0
	for _, p := range series {
		most = max(most, p.Counts.Total())
	}
	step := niceStep(most)
	ceil := step * 4
	for ceil < most {
		ceil += step
	}
	if ceil == 0 {
		ceil, step = 4, 1
	}
	var desc strings.Builder
	for i, p := range series {
		if i > 0 {
			desc.WriteString("; ")
		}
		c := p.Counts
		fmt.Fprintf(&desc, "%s: %d red, %d amber, %d green, %d blue, %d not set", p.Day.Format("2 January 2006"), c.Red, c.Amber, c.Green, c.Blue, c.None)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="plan-chart-title plan-chart-desc" font-family="Arial, sans-serif" font-size="12">`, width, height)
	fmt.Fprintf(&b, `<title id="plan-chart-title">%s</title>`, html.EscapeString("RAG status of the actions over time: "+planName))
	fmt.Fprintf(&b, `<desc id="plan-chart-desc">%s</desc>`, html.EscapeString(desc.String()))
	b.WriteString(`<g aria-hidden="true">`)
	x := left
	for _, c := range ragChartColours {
		fmt.Fprintf(&b, `<rect x="%d" y="10" width="12" height="12" fill="%s"/><text x="%d" y="20" fill="%s">%s</text>`, x, c.colour, x+16, chartInk, c.label)
		x += 30 + len(c.label)*7
	}
	for v := 0; v <= ceil; v += step {
		y := float64(top) + plotH - plotH*float64(v)/float64(ceil)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y, width-right, y, chartGrid)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="%s">%d</text>`, left-6, y+4, chartInk, v)
	}
	b.WriteString(`</g>`)
	if n := len(series); n > 0 {
		slot := plotW / float64(n)
		bar := slot * 0.6
		for i, p := range series {
			x0 := float64(left) + slot*float64(i) + (slot-bar)/2
			y := float64(top) + plotH
			c := p.Counts
			for j, v := range []int{c.Red, c.Amber, c.Green, c.Blue, c.None} {
				if v == 0 {
					continue
				}
				h := plotH * float64(v) / float64(ceil)
				y -= h
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#ffffff" stroke-width="1"><title>%s: %d %s</title></rect>`,
					x0, y, bar, h, ragChartColours[j].colour, p.Day.Format("2 Jan 2006"), v, strings.ToLower(ragChartColours[j].label))
			}
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s" aria-hidden="true">%s</text>`, x0+bar/2, height-bottom+16, chartInk, p.Day.Format("Jan"))
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s" aria-hidden="true">%s</text>`, x0+bar/2, height-bottom+30, chartInk, p.Day.Format("2006"))
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="1"/>`, left, top+int(plotH), width-right, top+int(plotH), chartInk)
	b.WriteString(`</svg>`)
	return b.String()
}
