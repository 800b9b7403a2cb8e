package actions

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"quorum/internal/errs"
)

// roleTokens are the roles an action can be given to, as written after the @.
var roleTokens = map[string]string{
	"chair": "chair", "vice-chair": "vice-chair", "vicechair": "vice-chair", "vice_chair": "vice-chair",
	"clerk": "clerk",
}

// groupTokens are the groups an action can be given to.
var groupTokens = map[string]string{
	"partners": GroupPartners, "all-partners": GroupPartners, "allpartners": GroupPartners,
	"all": GroupAll, "all-members": GroupAll, "members": GroupAll, "everyone": GroupAll,
}

// ResolveOwner reads one owner as written in the minutes (with or without the @), ignoring
// case, against the board's membership today. In order: a group (partners, all), a role
// (chair, vice-chair, clerk: the member holding it), a current member's handle or
// initials, an organisation's handle or name, and lastly any person's handle (an officer
// who is not a member). Unknown and ambiguous owners are EINVALID, with a message for the
// clerk.
func (s *Store) ResolveOwner(ctx context.Context, q Querier, boardID int64, token string) (Owner, error) {
	return resolveOwner(ctx, q, boardID, token, londonDay(s.now()).Format("2006-01-02"))
}

// resolveOwner is ResolveOwner with membership read on day (YYYY-MM-DD): the day of the
// meeting whose minutes name the owner, so that minutes recorded after the fact resolve
// against the board as it was.
func resolveOwner(ctx context.Context, q Querier, boardID int64, token, day string) (Owner, error) {
	label := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "@"))
	if label == "" {
		return Owner{}, errs.Field("owners", "An owner is missing after the @: write initials, a handle, a role or an organisation")
	}
	key := strings.ToLower(label)
	current := `(m.starts_on = '' OR m.starts_on <= ?) AND (m.ends_on = '' OR m.ends_on >= ?)`

	if g, ok := groupTokens[key]; ok {
		o := Owner{Kind: OwnerGroup, Group: g, Label: label, Name: groupName(g)}
		partner := ""
		if g == GroupPartners {
			partner = " AND o.partner = 1"
		}
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT o.id FROM memberships m JOIN people p ON p.id = m.person_id
			JOIN organisations o ON o.id = coalesce(m.organisation_id, p.organisation_id)
			WHERE m.board_id = ? AND m.role <> 'clerk' AND `+current+partner+` ORDER BY o.name`, boardID, day, day)
		if err != nil {
			return Owner{}, fmt.Errorf("resolve @%s: %w", label, err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return Owner{}, err
			}
			o.Organisations = append(o.Organisations, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Owner{}, err
		}
		if len(o.Organisations) == 0 && g == GroupPartners {
			return Owner{}, errs.Field("owners", "Owner @%s: no partner organisation has a seat on this board", label)
		}
		return o, nil
	}

	if role, ok := roleTokens[key]; ok {
		holders, err := people(ctx, q, `SELECT DISTINCT p.id, p.name, p.initials, p.handle, coalesce(org.name,'')
			FROM memberships m JOIN people p ON p.id = m.person_id LEFT JOIN organisations org ON org.id = p.organisation_id
			WHERE m.board_id = ? AND m.role = ? AND `+current+` ORDER BY p.name`, boardID, role, day, day)
		if err != nil {
			return Owner{}, fmt.Errorf("resolve @%s: %w", label, err)
		}
		if len(holders) == 0 && role == "clerk" {
			holders, err = people(ctx, q, `SELECT p.id, p.name, p.initials, p.handle, coalesce(org.name,'')
				FROM boards b JOIN people p ON p.id = b.clerk_id LEFT JOIN organisations org ON org.id = p.organisation_id WHERE b.id = ?`, boardID)
			if err != nil {
				return Owner{}, err
			}
		}
		switch len(holders) {
		case 0:
			return Owner{}, errs.Field("owners", "Owner @%s: nobody holds the role of %s on this board", label, strings.ToLower(roleName(role)))
		case 1:
			return Owner{Kind: OwnerRole, Role: role, PersonID: holders[0].id, Label: label, Name: holders[0].name}, nil
		}
		return Owner{}, ambiguous(label, holders)
	}

	members, err := people(ctx, q, `SELECT DISTINCT p.id, p.name, p.initials, p.handle, coalesce(org.name,'')
		FROM memberships m JOIN people p ON p.id = m.person_id LEFT JOIN organisations org ON org.id = p.organisation_id
		WHERE m.board_id = ? AND `+current+` AND (p.handle = ? COLLATE NOCASE OR p.initials = ? COLLATE NOCASE) ORDER BY p.name`,
		boardID, day, day, label, label)
	if err != nil {
		return Owner{}, fmt.Errorf("resolve @%s: %w", label, err)
	}
	for _, p := range members {
		if strings.EqualFold(p.handle, label) {
			return Owner{Kind: OwnerPerson, PersonID: p.id, Label: label, Name: p.name}, nil
		}
	}
	switch len(members) {
	case 0:
	case 1:
		return Owner{Kind: OwnerPerson, PersonID: members[0].id, Label: label, Name: members[0].name}, nil
	default:
		return Owner{}, ambiguous(label, members)
	}

	var o Owner
	err = q.QueryRowContext(ctx, `SELECT id, name FROM organisations WHERE handle = ? COLLATE NOCASE OR name = ? COLLATE NOCASE
		ORDER BY handle = ? COLLATE NOCASE DESC LIMIT 1`, label, label, label).Scan(&o.OrganisationID, &o.Name)
	if err == nil {
		o.Kind, o.Label = OwnerOrganisation, label
		return o, nil
	}

	anyone, err := people(ctx, q, `SELECT p.id, p.name, p.initials, p.handle, coalesce(org.name,'')
		FROM people p LEFT JOIN organisations org ON org.id = p.organisation_id WHERE p.handle = ? COLLATE NOCASE`, label)
	if err != nil {
		return Owner{}, fmt.Errorf("resolve @%s: %w", label, err)
	}
	if len(anyone) == 1 {
		return Owner{Kind: OwnerPerson, PersonID: anyone[0].id, Label: label, Name: anyone[0].name}, nil
	}
	return Owner{}, errs.Field("owners", "unknown owner @%s: not a member, organisation or group of this board", label)
}

// ResolveOwners resolves each token, and refuses the same owner named twice.
func (s *Store) ResolveOwners(ctx context.Context, q Querier, boardID int64, tokens []string) ([]Owner, error) {
	return resolveOwners(ctx, q, boardID, tokens, londonDay(s.now()).Format("2006-01-02"))
}

func resolveOwners(ctx context.Context, q Querier, boardID int64, tokens []string, day string) ([]Owner, error) {
	return resolveEach(tokens, func(t string) (Owner, error) { return resolveOwner(ctx, q, boardID, t, day) })
}

// ownerCache resolves owners against one board on one day, each distinct token once:
// minutes name the same few owners on line after line.
type ownerCache struct {
	q       Querier
	boardID int64
	day     string
	seen    map[string]ownerResult
}

type ownerResult struct {
	o   Owner
	err error
}

func newOwnerCache(q Querier, boardID int64, day string) *ownerCache {
	return &ownerCache{q: q, boardID: boardID, day: day, seen: map[string]ownerResult{}}
}

// resolve is resolveOwners, remembering each token's answer (errors too, but not a failed
// query). The key is the token as written, since the owner keeps it as its label.
func (c *ownerCache) resolve(ctx context.Context, tokens []string) ([]Owner, error) {
	return resolveEach(tokens, func(t string) (Owner, error) {
		key := strings.TrimSpace(t)
		if r, ok := c.seen[key]; ok {
			r.o.Organisations = slices.Clone(r.o.Organisations)
			return r.o, r.err
		}
		o, err := resolveOwner(ctx, c.q, c.boardID, t, c.day)
		if err == nil || errs.Code(err) == errs.Invalid {
			c.seen[key] = ownerResult{o, err}
		}
		o.Organisations = slices.Clone(o.Organisations)
		return o, err
	})
}

func resolveEach(tokens []string, resolve func(string) (Owner, error)) ([]Owner, error) {
	if len(tokens) == 0 {
		return nil, errs.Field("owners", "An action needs at least one owner: write @ and their initials, a role or an organisation")
	}
	out := make([]Owner, 0, len(tokens))
	seen := map[string]bool{}
	for _, t := range tokens {
		o, err := resolve(t)
		if err != nil {
			return nil, err
		}
		k := fmt.Sprintf("%s/%d/%d/%s", o.Kind, o.PersonID, o.OrganisationID, o.Group)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, o)
	}
	return out, nil
}

// SplitOwners reads owners written in a cell or a line: "@JS, @police", "JS; KP",
// "JS and KP", "@JS @KP", "Example Council".
func SplitOwners(s string) []string {
	s = andWord.ReplaceAllString(s, ",")
	out := []string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '&' || r == '/' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if !strings.Contains(part, "@") {
			if part != "" {
				out = append(out, part)
			}
			continue
		}
		for _, t := range strings.Fields(part) {
			if t = strings.TrimPrefix(t, "@"); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

var andWord = regexp.MustCompile(`(?i)\s+and\s+`)

type personRow struct {
	id                     int64
	name, initials, handle string
	organisation           string
}

func people(ctx context.Context, q Querier, query string, args ...any) ([]personRow, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []personRow
	for rows.Next() {
		var p personRow
		if err := rows.Scan(&p.id, &p.name, &p.initials, &p.handle, &p.organisation); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ambiguous names every candidate, and how to tell them apart.
func ambiguous(label string, ps []personRow) error {
	names := make([]string, len(ps))
	var handles []string
	for i, p := range ps {
		names[i] = p.name
		if p.organisation != "" {
			names[i] += " (" + p.organisation + ")"
		}
		if p.handle != "" {
			handles = append(handles, "@"+p.handle)
		}
	}
	msg := fmt.Sprintf("Owner @%s is ambiguous: it could be %s", label, strings.Join(names[:len(names)-1], ", ")+" or "+names[len(names)-1])
	if len(handles) == len(ps) {
		msg += "; write their handle instead (" + strings.Join(handles, ", ") + ")"
	}
	return errs.Field("owners", "%s", msg)
}
