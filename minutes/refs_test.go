package minutes

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestRefsSplitActionLine(t *testing.T) {
	tests := []struct {
		line   string
		ref    string
		owners []string
		rest   string
		ok     bool
	}{
		{"ACTION @JS: disseminate the plan (by 30 April 2021)", "", []string{"JS"}, "disseminate the plan (by 30 April 2021)", true},
		{"ACTION SBP/21/07 @JS: disseminate the plan", "SBP/21/07", []string{"JS"}, "disseminate the plan", true},
		{"- ACTION @JS, @partners: sign", "", []string{"JS", "partners"}, "sign", true},
		{"  1. **ACTION** SBP/21/07 @chair & @vice-chair: agree", "SBP/21/07", []string{"chair", "vice-chair"}, "agree", true},
		{"Action @JS: mixed case", "", []string{"JS"}, "mixed case", true},
		{"ACTION @JS do it", "", nil, "", false},
		{"ACTION: do it", "", nil, "", false},
		{"Action points were agreed.", "", nil, "", false},
		{"RESOLVED that", "", nil, "", false},
		{"", "", nil, "", false},
	}
	for _, tt := range tests {
		ref, owners, rest, ok := SplitActionLine(tt.line)
		if ref != tt.ref || !reflect.DeepEqual(owners, tt.owners) || rest != tt.rest || ok != tt.ok {
			t.Errorf("SplitActionLine(%q) = %q, %q, %q, %v; want %q, %q, %q, %v",
				tt.line, ref, owners, rest, ok, tt.ref, tt.owners, tt.rest, tt.ok)
		}
	}
}

func TestRefsWriteRefs(t *testing.T) {
	tests := []struct {
		name string
		src  string
		refs map[int]string
		want string
	}{
		{
			name: "new references",
			src:  "## 7a. VRAP\nACTION @JS: one (by next meeting)\n- ACTION @JS, @AB: two\r\n**ACTION** @JS: three\nAction @JS: four",
			refs: map[int]string{2: "SBP/21/07", 3: "SBP/21/08", 4: "SBP/21/09", 5: "SBP/21/10"},
			want: "## 7a. VRAP\nACTION SBP/21/07 @JS: one (by next meeting)\n- ACTION SBP/21/08 @JS, @AB: two\r\n**ACTION** SBP/21/09 @JS: three\nAction SBP/21/10 @JS: four",
		},
		{
			name: "a reference already there is replaced; an empty one removes it",
			src:  "ACTION SBP/21/07 @JS: one\nACTION SBP/21/08 @JS: two\n",
			refs: map[int]string{1: "SBP/21/99", 2: ""},
			want: "ACTION SBP/21/99 @JS: one\nACTION @JS: two\n",
		},
		{
			name: "lines that are not actions, or out of range, are left alone",
			src:  "---\nx: ACTION @JS: in front matter\n---\n## 1. Welcome\nACTION @JS do it\n```\nACTION @JS: code\n```\n> ACTION @JS: quoted\nProse.",
			refs: map[int]string{2: "A/1", 4: "A/2", 5: "A/3", 7: "A/4", 9: "A/5", 10: "A/6", 0: "A/7", 99: "A/8", -1: "A/9"},
			want: "---\nx: ACTION @JS: in front matter\n---\n## 1. Welcome\nACTION @JS do it\n```\nACTION @JS: code\n```\n> ACTION @JS: quoted\nProse.",
		},
		{
			name: "a reference that could not be read back is not written",
			src:  "ACTION @JS: one\n",
			refs: map[int]string{1: "SBP 21"},
			want: "ACTION @JS: one\n",
		},
		{
			name: "a byte order mark and odd spacing survive",
			src:  "\uFEFFACTION\t@JS:  one  \n\n  * ACTION   @JS:two",
			refs: map[int]string{1: "R/1", 3: "R/2"},
			want: "\uFEFFACTION R/1\t@JS:  one  \n\n  * ACTION R/2   @JS:two",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			got := string(WriteRefs(src, tt.refs))
			if got != tt.want {
				t.Errorf("WriteRefs:\n got %q\nwant %q", got, tt.want)
			}
			if string(src) != tt.src {
				t.Error("WriteRefs changed its input")
			}
		})
	}
}

// Writing the references Quorum gives on save and parsing again gives the same actions,
// now with their references: the round trip the minutes editor makes on every save.
func TestRefsRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/dialect/scp-2026-03.md")
	if err != nil {
		t.Fatal(err)
	}
	opt := northvaleOptions()
	before := Parse(src, opt)
	refs := map[int]string{}
	for i, a := range before.Actions {
		if a.Ref == "" {
			refs[a.Line] = "NSCP/26/" + string(rune('a'+i))
		}
	}
	out := WriteRefs(src, refs)
	after := Parse(out, opt)
	if len(after.Errors) != 0 || len(after.Actions) != len(before.Actions) {
		t.Fatalf("after WriteRefs: %d actions, errors %+v", len(after.Actions), after.Errors)
	}
	for i, a := range after.Actions {
		want := before.Actions[i]
		if want.Ref == "" {
			want.Ref = refs[want.Line]
		}
		if !reflect.DeepEqual(a, want) {
			t.Errorf("action %d:\n got %+v\nwant %+v", i, a, want)
		}
	}
	// every other line is byte for byte the same
	bl, al := strings.Split(string(src), "\n"), strings.Split(string(out), "\n")
	for i := range bl {
		if _, written := refs[i+1]; !written && bl[i] != al[i] {
			t.Errorf("line %d changed: %q -> %q", i+1, bl[i], al[i])
		}
	}
}

func TestRefsSetMinuteNumbers(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		numbers map[int]string
		want    string
	}{
		{
			name:    "new minute numbers",
			src:     "## 7. Update\n### 7a. Safer streets  \r\n### 7(b) VAWG ##\n",
			numbers: map[int]string{1: "47", 2: "47a", 3: "47/21"},
			want:    "## 7. Update {#47}\n### 7a. Safer streets {#47a}  \r\n### 7(b) VAWG ## {#47/21}\n",
		},
		{
			name:    "an existing number is replaced, or removed when empty",
			src:     "## 7. Update {#12}\n## 8. Next {#13}\n## 9. Last {#14} ##\n",
			numbers: map[int]string{1: "47", 2: "", 3: "49"},
			want:    "## 7. Update {#47}\n## 8. Next\n## 9. Last {#49} ##\n",
		},
		{
			name:    "only item headings",
			src:     "# Minutes\n## Present\nACTION @JS: x\n```\n## 1. code\n```\n#### 7e. Level four\n## 1. Welcome\n",
			numbers: map[int]string{1: "1", 2: "2", 3: "3", 5: "5", 7: "7", 8: "bad number"},
			want:    "# Minutes\n## Present\nACTION @JS: x\n```\n## 1. code\n```\n#### 7e. Level four\n## 1. Welcome\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(SetMinuteNumbers([]byte(tt.src), tt.numbers))
			if got != tt.want {
				t.Errorf("SetMinuteNumbers:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRefsSetMinuteNumbersParsesBack(t *testing.T) {
	src := []byte("## 7. Update\n### 7a. Safer streets {#1}\n")
	out := SetMinuteNumbers(src, map[int]string{1: "47", 2: "47a"})
	p := Parse(out, Options{})
	if len(p.Items) != 2 || p.Items[0].Minute != "47" || p.Items[1].Minute != "47a" || p.Items[1].Title != "Safer streets" {
		t.Errorf("items: %+v", p.Items)
	}
}
