package browsertest

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1's axe.min.js (npm axe-core, MPL-2.0, its licence header
// kept at the top of the file).
//
//go:embed axe.min.js
var axeSource string

// WCAGTags are the axe-core tags of WCAG 2.2 level AA: every success criterion of levels A
// and AA in WCAG 2.0, 2.1 and 2.2. Rules so tagged run even where axe leaves them off by
// default (target-size, for 2.5.8 Target Size (Minimum), is one).
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

type axeResult struct {
	Violations []axeViolation `json:"violations"`
}

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Tags    []string `json:"tags"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// wcag reports whether the rule tests a WCAG 2.2 A or AA success criterion.
func (v axeViolation) wcag() bool {
	for _, tag := range v.Tags {
		if slices.Contains(WCAGTags, tag) {
			return true
		}
	}
	return false
}

// CheckA11y runs axe-core on the page in the browser, with the rules of WCAG 2.2 A and
// AA (WCAGTags) and axe's best practices. It fails the test for every violation of a WCAG
// rule, whatever its impact, and of a best practice of impact serious or critical, naming
// the rule, the elements and the fix; other best practices are logged. The script goes in
// through DevTools, which the page's Content-Security-Policy does not govern, and is not
// part of the site.
func CheckA11y(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, e := range A11yViolations(t, ctx) {
		if e.Fail {
			t.Errorf("accessibility on %s", e.Text)
		} else {
			t.Logf("accessibility (not failing) on %s", e.Text)
		}
	}
}

// A11yProblem is one rule axe found broken on a page: Text names the page, the rule, the
// elements and the fix; Fail says whether CheckA11y fails the test for it.
type A11yProblem struct {
	Rule string
	Fail bool
	Text string
}

// A11yViolations runs axe-core as CheckA11y does and returns what it found, for a caller
// that sums problems up across many pages before failing.
func A11yViolations(t *testing.T, ctx context.Context) []A11yProblem {
	t.Helper()
	tags, _ := json.Marshal(append(slices.Clone(WCAGTags), "best-practice"))
	return runAxe(t, ctx, fmt.Sprintf(`{type: "tag", values: %s}`, tags))
}

// LayoutRules are the axe rules whose answer changes with the width of the window: a
// target that shrinks, a box that starts to scroll. A11yLayout runs them alone, which is
// quick (no colour contrast), for a page already checked at another width.
var LayoutRules = []string{"target-size", "scrollable-region-focusable", "meta-viewport", "nested-interactive", "region"}

// A11yLayout runs LayoutRules on the page and returns what they found, as A11yViolations.
func A11yLayout(t *testing.T, ctx context.Context) []A11yProblem {
	t.Helper()
	rules, _ := json.Marshal(LayoutRules)
	return runAxe(t, ctx, fmt.Sprintf(`{type: "rule", values: %s}`, rules))
}

func runAxe(t *testing.T, ctx context.Context, runOnly string) []A11yProblem {
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
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](fmt.Sprintf(
		`axe.run(document, {runOnly: %s, resultTypes: ["violations"]}).then(r => ({violations: r.violations}))`, runOnly),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("a11y: run axe: %v", err)
	}
	page, _ := chromedp.Run(ctx, chromedp.Location())
	var found []A11yProblem
	for _, v := range res.Violations {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s [%s] %s (%s)", page, v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %v %s", n.Target, n.HTML)
			if n.FailureSummary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
			}
		}
		fail := v.wcag() || v.Impact == "serious" || v.Impact == "critical"
		found = append(found, A11yProblem{Rule: v.ID, Fail: fail, Text: b.String()})
	}
	return found
}
