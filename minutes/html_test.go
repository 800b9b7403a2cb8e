package minutes

import (
	"bytes"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestRenderHTMLGolden renders the fixture minutes (written in our own words, modelled on a
// real partnership's) and compares them with the golden file.
func TestRenderHTMLGolden(t *testing.T) {
	src, err := os.ReadFile("testdata/store/partnership.md")
	if err != nil {
		t.Fatal(err)
	}
	got := RenderHTML(src, nil)
	const golden = "testdata/store/partnership.golden.html"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rendered HTML differs from %s (go test -run Golden -update to accept):\n%v", golden, Hunks(Diff(string(want), string(got)), 2))
	}
}

func TestRenderHTMLIsSafe(t *testing.T) {
	src := []byte("## 1. Item\n\n<script>alert('x')</script>\n\nText <img src=x onerror=alert(1)> and [link](javascript:alert(1)).\n\n" +
		"<div onclick=\"steal()\">\nhello\n</div>\n\n## 2. Title {#7 .evil onclick=alert(1)}\n\nACTION @JS: <b>bold</b> by next meeting\n")
	out := string(RenderHTML(src, nil))
	for _, bad := range []string{"<script", "<img", "javascript:", "<div", "<b>"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds %q:\n%s", bad, out)
		}
	}
	// No tag carries an event handler or a class the clerk chose.
	if m := regexp.MustCompile(`<[^>]*(\son\w+=|evil)[^>]*>`).FindString(out); m != "" {
		t.Errorf("output has a tag %s:\n%s", m, out)
	}
	for _, want := range []string{"&lt;script&gt;alert(", "&lt;img src=x onerror=alert(1)&gt;", "Action: @JS"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q (raw HTML must show as text):\n%s", want, out)
		}
	}
}
