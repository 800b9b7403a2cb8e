package minutes

import (
	"strings"
	"testing"
)

func TestWithoutExempt(t *testing.T) {
	src := "---\nboard: Example\n---\n# Minutes\n\n## 5. Budget {#40}\n\nRESOLVED that the budget be noted.\n\n" +
		"## 6. Contract for the helpline {#41}\n\nThe bids from Firm A (£120,000) and Firm B were compared.\n\n" +
		"#### Scoring\n\nFirm A scored highest.\n\n```\n## 9. not a heading in code\n```\n\nRESOLVED that the contract go to Firm A.\n\n" +
		"ACTION @JS: tell Firm A by next meeting\n\n" +
		"### 6a. Publicity {#41a}\n\nA press release will follow.\n\n" +
		"## 7. Case review {#42}\n\nThe family of Child Q was discussed.\n\n## Close of meeting\n\nThe meeting ended at 11.55 am.\n"
	got := string(WithoutExempt([]byte(src), map[string]string{"6": "Schedule 12A paragraph 3", "7": ""}))
	for _, gone := range []string{"Firm A", "£120,000", "Scoring", "not a heading in code", "tell Firm A", "Child Q"} {
		if strings.Contains(got, gone) {
			t.Errorf("exempt text %q still in:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"board: Example", "## 5. Budget {#40}", "RESOLVED that the budget be noted.",
		"## 6. Contract for the helpline {#41}\n\nThis item was considered in private (Schedule 12A paragraph 3).\n\n### 6a. Publicity",
		"A press release will follow.", "## 7. Case review {#42}\n\nThis item was considered in private.\n\n## Close of meeting",
		"The meeting ended at 11.55 am."} {
		if !strings.Contains(got, kept) {
			t.Errorf("missing %q in:\n%s", kept, got)
		}
	}
	// What the public reads still parses, with the exempt items' actions gone.
	p := Parse([]byte(got), Options{})
	if len(p.Errors) != 0 || len(p.Actions) != 0 || len(p.Items) != 4 {
		t.Errorf("parsed: %d items, %d actions, errors %v", len(p.Items), len(p.Actions), p.Errors)
	}
	if string(WithoutExempt([]byte(src), nil)) != src {
		t.Errorf("no exempt items: text changed")
	}
}
