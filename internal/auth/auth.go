// Package auth owns accounts: passwords (argon2id), API tokens, and the signed-in user
// carried through a request. Boards and their roles stay in meetings; auth only knows
// which person an account belongs to.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"quorum/internal/audit"
	"quorum/internal/db"
	"quorum/internal/errs"
)

//go:embed schema/*.sql
var schema embed.FS

// Schema is the accounts' migrations.
func Schema() fs.FS { s, _ := fs.Sub(schema, "schema"); return s }

// Site roles.
const (
	RoleAdmin = "admin"
	RoleClerk = "clerk"
	RoleUser  = "user"
)

// User is an account.
type User struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	PersonID int64  `json:"person_id,omitempty"`
}

// IsAdmin reports whether u may do everything.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// Store keeps accounts.
type Store struct {
	db    *sql.DB
	stmts *db.Stmts // User is read on every signed-in request
}

// NewStore returns an account store.
func NewStore(d *sql.DB) *Store { return &Store{db: d, stmts: db.NewStmts(d)} }

// Argon2id parameters (RFC 9106's second recommended option, lighter on memory).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// hashing bounds how many password hashes run at once, so a burst of logins can't take
// all memory (each costs argonMemory KiB).
var hashing = make(chan struct{}, 4)

// HashPassword returns an encoded argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	hashing <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	<-hashing
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// checkPassword compares pw with an encoded hash in constant time.
func checkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	hashing <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	<-hashing
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no account has the email, so that a wrong email
// takes as long as a wrong password and accounts can't be enumerated by timing.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a password") })

// ValidatePassword checks a new password.
func ValidatePassword(pw string) error {
	if len(pw) < 10 {
		return errs.Field("password", "Enter a password of at least 10 characters")
	}
	if len(pw) > 200 {
		return errs.Field("password", "Enter a password of 200 characters or fewer")
	}
	return nil
}

// CreateUser adds an account.
func (s *Store) CreateUser(ctx context.Context, u *User, password string) error {
	u.Email = strings.TrimSpace(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if u.Email == "" || !strings.Contains(u.Email, "@") || len(u.Email) > 254 {
		return errs.Field("email", "Enter an email address in the correct format, like name@example.org")
	}
	if u.Name == "" || len(u.Name) > 200 {
		return errs.Field("name", "Enter a name of 200 characters or fewer")
	}
	if u.Role == "" {
		u.Role = RoleUser
	}
	if u.Role != RoleAdmin && u.Role != RoleClerk && u.Role != RoleUser {
		return errs.Field("role", "Choose admin, clerk or user")
	}
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash := HashPassword(password)
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if u.PersonID == 0 {
			// Link the account to the person with that email, if one exists.
			tx.QueryRowContext(ctx, `SELECT id FROM people WHERE email = ? COLLATE NOCASE AND email <> ''`, u.Email).Scan(&u.PersonID)
		}
		var person any
		if u.PersonID != 0 {
			person = u.PersonID
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO users (email, name, role, password_hash, person_id) VALUES (?, ?, ?, ?, ?)`,
			u.Email, u.Name, u.Role, hash, person)
		if db.IsUnique(err) {
			return errs.Field("email", "An account with that email address already exists")
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		u.ID, _ = res.LastInsertId()
		return audit.Record(ctx, tx, "user.create", "user", u.ID, nil, u)
	})
}

const userCols = `id, email, name, role, coalesce(person_id, 0)`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PersonID); err != nil {
		return nil, err
	}
	return &u, nil
}

// User returns an account by id.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	u, err := scanUser(s.stmts.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No account %d", id)
	}
	return u, err
}

// UserByEmail returns an account by email.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if db.IsNoRows(err) {
		return nil, errs.E(errs.NotFound, "No account for %s", email)
	}
	return u, err
}

// errBadLogin is the one answer to a wrong email or a wrong password.
var errBadLogin = &errs.Error{Code: errs.Unauthorized, Message: "The email address or password is not right", Field: "email"}

// Authenticate checks an email and password.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*User, error) {
	var hash string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
	if err == nil {
		err = s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash)
	}
	if err != nil {
		if !db.IsNoRows(err) {
			return nil, err
		}
		checkPassword(dummyHash(), password)
		return nil, errBadLogin
	}
	if !checkPassword(hash, password) {
		return nil, errBadLogin
	}
	return u, nil
}

// ChangePassword sets a new password after checking the current one.
func (s *Store) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	var hash string
	if err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return errs.E(errs.NotFound, "No account %d", userID)
	}
	if !checkPassword(hash, current) {
		return errs.Field("current", "Your current password is not right")
	}
	if err := ValidatePassword(next); err != nil {
		return &errs.Error{Code: errs.Invalid, Message: errs.Message(err), Field: "new"}
	}
	newHash := HashPassword(next)
	return db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, newHash, userID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "user.password", "user", userID, nil, nil)
	})
}

// CreateToken makes an API token for an account and returns it; only its hash is kept.
func (s *Store) CreateToken(ctx context.Context, userID int64) (string, error) {
	raw := make([]byte, 24)
	rand.Read(raw)
	token := "qrm_" + base64.RawURLEncoding.EncodeToString(raw)
	err := db.WithTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (user_id, token_hash) VALUES (?, ?)`, userID, tokenHash(token))
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		id, _ := res.LastInsertId()
		return audit.Record(ctx, tx, "token.create", "user", userID, nil, map[string]int64{"token_id": id})
	})
	return token, err
}

func tokenHash(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// UserByToken returns the account an API token belongs to.
func (s *Store) UserByToken(ctx context.Context, token string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.role, coalesce(u.person_id,0)
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`, tokenHash(token)))
	if err != nil {
		return nil, errs.E(errs.Unauthorized, "The API token is not valid")
	}
	return u, nil
}

// Limiter refuses more than max failed logins per key in a window: enough for a person
// who mistypes, too few to guess a password.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

// NewLimiter returns a limiter.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// Allow reports whether key may try again now.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prune(key, time.Now())
	return len(l.fails[key]) < l.max
}

// Take is Allow and Fail at once: it reports whether key may try now and, if so, counts
// the attempt as failed until Forgive says otherwise. Checking and counting apart let a
// burst of parallel guesses all pass the check before the first failure was counted.
func (l *Limiter) Take(key string) bool {
	l.mu.Lock()
	now := time.Now()
	l.prune(key, now)
	ok := len(l.fails[key]) < l.max
	l.mu.Unlock()
	if ok {
		l.Fail(key)
	}
	return ok
}

// Forgive takes back one attempt counted by Take that did not fail.
func (l *Limiter) Forgive(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.fails[key]; len(f) > 0 {
		l.fails[key] = f[:len(f)-1]
	}
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.fails[key], time.Now())
	if len(l.fails) > 10000 { // forget the oldest keys rather than grow without end
		for k := range l.fails {
			l.prune(k, time.Now())
		}
	}
}

func (l *Limiter) prune(key string, now time.Time) {
	f := l.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) > l.window {
		i++
	}
	if i == len(f) {
		delete(l.fails, key)
		return
	}
	l.fails[key] = f[i:]
}

// NewPassword makes a random password for an account created without one.
func NewPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
