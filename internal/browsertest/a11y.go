package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1's axe.min.js (npm axe-core, MPL-2.0, its licence header
// kept at the top of the file).
//
//go:embed axe.min.js
var axeSource string

type axeResult struct {
	Violations []struct {
		ID      string `json:"id"`
		Impact  string `json:"impact"`
		Help    string `json:"help"`
		HelpURL string `json:"helpUrl"`
		Nodes   []struct {
			Target         []any  `json:"target"`
			HTML           string `json:"html"`
			FailureSummary string `json:"failureSummary"`
		} `json:"nodes"`
	} `json:"violations"`
}

// CheckA11y runs axe-core on the page in the browser and fails the test for every
// violation of impact serious or critical, naming the rule, the elements and the fix;
// moderate and minor ones are logged. The script goes in through DevTools, which the
// page's Content-Security-Policy does not govern, and is not part of the site.
func CheckA11y(t *testing.T, ctx context.Context) {
	t.Helper()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		t.Fatalf("a11y: %v", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource+"\n;undefined")); err != nil {
			t.Fatalf("a11y: load axe: %v", err)
		}
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => ({violations: r.violations}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("a11y: run axe: %v", err)
	}
	page, _ := chromedp.Run(ctx, chromedp.Location())
	for _, v := range res.Violations {
		var b strings.Builder
		fmt.Fprintf(&b, "%s [%s] %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %v %s", n.Target, n.HTML)
			if n.FailureSummary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
			}
		}
		switch v.Impact {
		case "serious", "critical":
			t.Errorf("accessibility on %s: %s", page, b.String())
		default:
			t.Logf("accessibility (not failing) on %s: %s", page, b.String())
		}
	}
}
