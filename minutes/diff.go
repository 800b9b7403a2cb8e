package minutes

import "strings"

// DiffLine is one line of the difference between two texts: Op is ' ' (in both), '-'
// (only in the old text) or '+' (only in the new). Old and New are its 1-based line
// numbers in each text, 0 where it has none.
type DiffLine struct {
	Op       byte
	Text     string
	Old, New int
}

// Removed and Added say what kind of line this is, for templates.
func (d DiffLine) Removed() bool { return d.Op == '-' }
func (d DiffLine) Added() bool   { return d.Op == '+' }

// Hunk is a run of changed lines with the unchanged lines around them.
type Hunk struct {
	OldStart, NewStart int
	Lines              []DiffLine
}

// maxEdits bounds the work of a diff: texts more different than this are shown as the old
// middle removed and the new added, which is true, if not the shortest way to say it.
const maxEdits = 1000

// Diff compares two texts line by line (Myers' algorithm, after the lines the texts
// begin and end with in common are set aside) and returns every line of both, in order.
func Diff(oldText, newText string) []DiffLine {
	a, b := splitLines(oldText), splitLines(newText)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out := make([]DiffLine, 0, len(a)+len(b))
	for i := 0; i < pre; i++ {
		out = append(out, DiffLine{Op: ' ', Text: a[i], Old: i + 1, New: i + 1})
	}
	out = append(out, middle(a[pre:len(a)-suf], b[pre:len(b)-suf], pre, pre)...)
	for i := 0; i < suf; i++ {
		oi, ni := len(a)-suf+i, len(b)-suf+i
		out = append(out, DiffLine{Op: ' ', Text: a[oi], Old: oi + 1, New: ni + 1})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// middle diffs a and b, whose first lines are lines offA+1 and offB+1 of their texts.
func middle(a, b []string, offA, offB int) []DiffLine {
	n, m := len(a), len(b)
	wholesale := func() []DiffLine {
		out := make([]DiffLine, 0, n+m)
		for i, l := range a {
			out = append(out, DiffLine{Op: '-', Text: l, Old: offA + i + 1})
		}
		for i, l := range b {
			out = append(out, DiffLine{Op: '+', Text: l, New: offB + i + 1})
		}
		return out
	}
	if n == 0 || m == 0 {
		return wholesale()
	}
	limit := min(n+m, maxEdits)
	off := limit + 1
	v := make([]int, 2*limit+3)
	// trace[d] holds v[k] for k in -d..d as it stood before step d.
	var trace [][]int
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		snap := make([]int, 2*d+1)
		copy(snap, v[off-d:off+d+1])
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = d
				break
			}
		}
	}
	if found < 0 {
		return wholesale()
	}
	// Walk back from the end, step by step.
	var rev []DiffLine
	x, y := n, m
	for d := found; d > 0; d-- {
		prev := trace[d]
		at := func(k int) int { return prev[k+d] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, DiffLine{Op: ' ', Text: a[x], Old: offA + x + 1, New: offB + y + 1})
		}
		if x == px {
			y--
			rev = append(rev, DiffLine{Op: '+', Text: b[y], New: offB + y + 1})
		} else {
			x--
			rev = append(rev, DiffLine{Op: '-', Text: a[x], Old: offA + x + 1})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, DiffLine{Op: ' ', Text: a[x], Old: offA + x + 1, New: offB + y + 1})
	}
	out := make([]DiffLine, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out
}

// Hunks groups a diff's changed lines with up to context unchanged lines either side.
func Hunks(lines []DiffLine, context int) []Hunk {
	var out []Hunk
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op == ' ' {
			continue
		}
		for j := max(0, i-context); j <= min(len(lines)-1, i+context); j++ {
			keep[j] = true
		}
	}
	for i := 0; i < len(lines); i++ {
		if !keep[i] {
			continue
		}
		h := Hunk{}
		for ; i < len(lines) && keep[i]; i++ {
			h.Lines = append(h.Lines, lines[i])
		}
		for _, l := range h.Lines {
			if h.OldStart == 0 && l.Old != 0 {
				h.OldStart = l.Old
			}
			if h.NewStart == 0 && l.New != 0 {
				h.NewStart = l.New
			}
		}
		out = append(out, h)
	}
	return out
}
