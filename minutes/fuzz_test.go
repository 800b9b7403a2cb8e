package minutes

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
)

// FuzzParseMinutes feeds Parse any text: it must never panic, its errors must stand on lines
// of the text, and writing references into the new actions (as a save does) must give the
// same items, resolutions and actions when parsed again.
func FuzzParseMinutes(f *testing.F) {
	if src, err := os.ReadFile("testdata/dialect/scp-2026-03.md"); err == nil {
		f.Add(src)
	}
	for _, s := range []string{
		"## 7a. VRAP {#47}\nRESOLVED that\n\n1) one\n2) two\n\n- ACTION @JS, @partners: do it (by 30 April 2021)\n",
		"---\nmeeting: 2021-03-25\n---\n## 1 Welcome\nACTION SBP/21/07 @JS: x by next meeting\n> Post-meeting note: y\n",
		"```\nACTION @JS: code\n```\n## 2. Two\n**ACTION** @a & @b: z by the September meeting\nAction @c: w by 31/02/2021\n",
		"\uFEFF## 3(a) Three\r\nRESOLVED:\r\n(a) one\r\nACTION @JS: by\r\n",
		"## 1. a\nACTION @JS: (by end of February)\nACTION @İ: x by 1 January\n",
	} {
		f.Add([]byte(s))
	}
	opt := Options{MeetingDate: meeting25March2021}
	f.Fuzz(func(t *testing.T, src []byte) {
		p := Parse(src, opt)
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, e := range p.Errors {
			if strings.Contains(e.Message, parseInternalError) {
				t.Fatalf("Parse panicked: %s", e.Message)
			}
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("error on line %d of %d: %s", e.Line, lines, e.Message)
			}
		}
		if len(p.Errors) > 0 && (p.Errors[0].Message == "the file is not UTF-8 text" || p.Errors[0].Message == "minutes over 2 MB") {
			return
		}
		if bytes.Contains(src, []byte("FZ/")) {
			return // the references written below must be new ones
		}
		refs := map[int]string{}
		for i, a := range p.Actions {
			if a.Ref == "" {
				refs[a.Line] = fmt.Sprintf("FZ/%d", i)
			}
		}
		out := WriteRefs(src, refs)
		if len(out) > maxMinutesSize {
			return
		}
		q := Parse(out, opt)
		if len(q.Items) != len(p.Items) || len(q.Resolutions) != len(p.Resolutions) || len(q.Actions) != len(p.Actions) {
			t.Fatalf("after WriteRefs: %d/%d/%d items/resolutions/actions, before %d/%d/%d\nbefore: %q\nafter:  %q",
				len(q.Items), len(q.Resolutions), len(q.Actions), len(p.Items), len(p.Resolutions), len(p.Actions), src, out)
		}
		for i, a := range q.Actions {
			want := p.Actions[i].Ref
			if want == "" {
				want = refs[p.Actions[i].Line]
			}
			if a.Ref != want || a.Line != p.Actions[i].Line {
				t.Fatalf("action %d after WriteRefs: ref %q line %d, want %q line %d", i, a.Ref, a.Line, want, p.Actions[i].Line)
			}
		}
	})
}
