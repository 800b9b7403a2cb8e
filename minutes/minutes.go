// Package minutes owns the minutes of a meeting: the markdown dialect clerks write them in
// (items, resolutions, actions, post-meeting notes), their rendering to HTML and PDF, their
// versions, and their approval, after which they never change again.
package minutes

// Parsed is what Quorum reads out of one minutes text. Its JSON is fixed by INTERFACE.md
// (`quorum minutes parse`), so field names and shapes stay as they are.
type Parsed struct {
	Items       []Item       `json:"items"`
	Resolutions []Resolution `json:"resolutions"`
	Actions     []ActionLine `json:"actions"`
	Notes       []Note       `json:"notes"`
	Errors      []LineError  `json:"errors"`
}

// Item is an agenda item heading: `## 7. Title {#47}` or `### 7a. Title {#47a}`.
// Number is the agenda number ("7", "7a"), Minute the board's minute number, if assigned.
type Item struct {
	Number string `json:"number"`
	Title  string `json:"title"`
	Minute string `json:"minute"`
	Level  int    `json:"-"`
	Line   int    `json:"line"`
}

// Resolution is one thing the meeting RESOLVED; Ordinal counts from 1 within its item.
type Resolution struct {
	Item    string `json:"item"`
	Ordinal int    `json:"ordinal"`
	Text    string `json:"text"`
	Line    int    `json:"line"`
}

// ActionLine is an `ACTION [REF] @owner[, @owner]: text (by ...)` line as written.
// Owners are as written, without the @. Ref is empty until the action is saved.
type ActionLine struct {
	Ref    string   `json:"ref"`
	Item   string   `json:"item"`
	Owners []string `json:"owners"`
	Text   string   `json:"text"`
	Due    *Due     `json:"due"`
	Line   int      `json:"line"`
}

// Due is when an action falls due: a calendar date (YYYY-MM-DD), or a meeting: "next",
// or the date (YYYY-MM-DD) of a scheduled meeting once resolved. Month is set for
// "by the September meeting" until it is resolved to a meeting.
type Due struct {
	Date    string `json:"date,omitempty"`
	Meeting string `json:"meeting,omitempty"`
	Month   int    `json:"-"`
}

// Note is a post-meeting note: a block quote starting "Post-meeting note:".
type Note struct {
	Item string `json:"item"`
	Text string `json:"text"`
	Line int    `json:"line"`
}

// LineError is something in the text Quorum could not read, at the line it stands on.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}
