package meetings

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"quorum/internal/auth"
	"quorum/internal/errs"
	"quorum/internal/web"
)

// Handler serves boards, people, organisations and meetings, as pages and JSON.
type Handler struct{ store *Store }

// NewHandler returns the handler.
func NewHandler(s *Store) *Handler { return &Handler{store: s} }

// Register lists every URL the package serves.
func (h *Handler) Register(r *web.Router) {
	r.GET("/", web.Public, h.home)
	r.GET("/boards/new", web.AnyClerk, h.newBoard)
	r.POST("/boards", web.AnyClerk, h.createBoard)
	r.GET("/boards/:id", web.Member("board"), h.showBoard)
	r.GET("/boards/:id/edit", web.Clerk("board"), h.editBoard)
	r.POST("/boards/:id", web.Clerk("board"), h.updateBoard)
	r.POST("/boards/:id/members", web.Clerk("board"), h.addMember)
	r.POST("/boards/:id/standing-items", web.Clerk("board"), h.addStandingItem)
	r.POST("/boards/:id/meetings", web.Clerk("board"), h.scheduleMeeting)
	r.POST("/boards/:id/series", web.Clerk("board"), h.scheduleSeries)
	r.GET("/boards/:id/forward-plan", web.Member("board"), h.showForwardPlan)
	r.POST("/boards/:id/forward-plan", web.Clerk("board"), h.addForward)
	r.POST("/forward-plan/:id", web.Clerk("forward"), h.updateForward)
	r.GET("/boards/:id/interests", web.Member("board"), h.showBoardInterests)
	r.GET("/boards/:id/meetings.ics", web.Member("board"), h.boardCalendar)
	r.POST("/memberships/:id", web.Clerk("membership"), h.updateMember)
	r.GET("/meetings/:id", web.Member("meeting"), h.showMeeting)
	r.GET("/meetings/:id/agenda.pdf", web.Member("meeting"), h.agendaPDF)
	r.POST("/meetings/:id/items", web.Clerk("meeting"), h.addItem)
	r.POST("/meetings/:id/offers", web.Clerk("meeting"), h.addOffer)
	r.POST("/meetings/:id/publish", web.Clerk("meeting"), h.publishAgenda)
	r.POST("/meetings/:id/move", web.Clerk("meeting"), h.moveMeeting)
	r.POST("/meetings/:id/cancel", web.Clerk("meeting"), h.cancelMeeting)
	r.POST("/meetings/:id/attendance", web.Clerk("meeting"), h.recordAttendance)
	r.POST("/meetings/:id/attendance/remove", web.Clerk("meeting"), h.removeAttendance)
	r.POST("/meetings/:id/apologies", web.Member("meeting"), h.sendApologies)
	r.POST("/meetings/:id/declarations", web.Member("meeting"), h.declare)
	r.POST("/meetings/:id/declarations/remove", web.Clerk("meeting"), h.removeDeclaration)
	r.GET("/items/:id/edit", web.Clerk("item"), h.editItem)
	r.POST("/items/:id", web.Clerk("item"), h.updateItem)
	r.POST("/items/:id/move", web.Clerk("item"), h.moveItem)
	r.POST("/items/:id/sub-items", web.Clerk("item"), h.addSubItem)
	r.POST("/items/:id/postpone", web.Clerk("item"), h.postponeItem)
	r.POST("/items/:id/remove", web.Clerk("item"), h.removeItem)
	r.POST("/items/:id/papers", web.Clerk("item"), h.uploadPaper)
	r.GET("/papers/:id", web.Member("paper"), h.downloadPaper)
	r.GET("/my/meetings", web.SignedIn, h.myMeetings)
	r.GET("/my/meetings.ics", web.SignedIn, h.myCalendar)
	r.GET("/people", web.AnyClerk, h.listPeople)
	r.POST("/people", web.AnyClerk, h.createPerson)
	r.GET("/people/:id", web.AnyClerk, h.showPerson)
	r.POST("/people/:id", web.AnyClerk, h.updatePerson)
	r.POST("/people/:id/interests", web.AnyClerk, h.addInterest)
	r.POST("/people/:id/interests/end", web.AnyClerk, h.endInterest)
	r.GET("/organisations", web.AnyClerk, h.listOrganisations)
	r.POST("/organisations", web.AnyClerk, h.createOrganisation)
	r.GET("/organisations/:id", web.AnyClerk, h.showOrganisation)
	r.POST("/organisations/:id", web.AnyClerk, h.updateOrganisation)

	r.GET("/api/v1/boards", web.Public, h.apiBoards)
	r.POST("/api/v1/boards", web.AnyClerk, h.apiCreateBoard)
	r.GET("/api/v1/boards/:id", web.Member("board"), h.apiBoard)
	r.GET("/api/v1/boards/:id/meetings", web.Member("board"), h.apiMeetings)
	r.POST("/api/v1/boards/:id/meetings", web.Clerk("board"), h.apiSchedule)
	r.GET("/api/v1/meetings/:id", web.Member("meeting"), h.apiMeeting)
	r.POST("/api/v1/meetings/:id/items", web.Clerk("meeting"), h.apiAddItem)
	r.POST("/api/v1/items/:id/papers", web.Clerk("item"), h.apiUploadPaper)
}

func isClerkUser(u *auth.User) bool {
	return u != nil && (u.Role == auth.RoleAdmin || u.Role == auth.RoleClerk)
}

func personOf(u *auth.User) int64 {
	if u == nil {
		return 0
	}
	return u.PersonID
}

func (h *Handler) home(c *gin.Context) {
	u := web.CurrentUser(c)
	boards, err := h.store.VisibleBoards(c.Request.Context(), personOf(u), isClerkUser(u))
	if err != nil {
		web.Fail(c, err)
		return
	}
	var mine []Meeting
	if u != nil && u.PersonID != 0 {
		if mine, err = h.store.PersonMeetings(c.Request.Context(), u.PersonID); err != nil {
			web.Fail(c, err)
			return
		}
	}
	web.HTML(c, http.StatusOK, "home.html", web.H{"Title": "Boards", "Nav": "boards", "Boards": boards,
		"Meetings": mine, "CanCreate": isClerkUser(u)})
}

// --- boards

func (h *Handler) boardFormData(c *gin.Context, b *Board) (web.H, error) {
	boards, err := h.store.Boards(c.Request.Context())
	if err != nil {
		return nil, err
	}
	people, err := h.store.People(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return web.H{"Board": b, "Parents": boards, "People": people, "Nav": "boards"}, nil
}

func boardFromForm(c *gin.Context, b *Board) {
	b.Name = c.PostForm("name")
	b.ShortName = c.PostForm("short_name")
	b.ParentID, _ = strconv.ParseInt(c.PostForm("parent_id"), 10, 64)
	b.ClerkID, _ = strconv.ParseInt(c.PostForm("clerk_id"), 10, 64)
	b.Numbering = c.PostForm("numbering")
	b.YearStartMonth, _ = strconv.Atoi(c.DefaultPostForm("year_start_month", "5"))
	b.Public = c.PostForm("public") == "1"
	b.DefaultStart = c.PostForm("default_start")
	b.DefaultMode = c.PostForm("default_mode")
	b.DefaultPlace = c.PostForm("default_place")
	b.QuorumCount, _ = strconv.Atoi(c.DefaultPostForm("quorum_count", "0"))
	b.Description = c.PostForm("description")
}

func (h *Handler) newBoard(c *gin.Context) {
	data, err := h.boardFormData(c, &Board{Numbering: NumberContinuous, YearStartMonth: 5, DefaultStart: "10:00"})
	if err != nil {
		web.Fail(c, err)
		return
	}
	data["Title"] = "New board"
	web.HTML(c, http.StatusOK, "board_form.html", data)
}

func (h *Handler) createBoard(c *gin.Context) {
	b := &Board{}
	boardFromForm(c, b)
	if b.ClerkID == 0 {
		b.ClerkID = personOf(web.CurrentUser(c))
	}
	if err := h.store.CreateBoard(web.Ctx(c), b); err != nil {
		data, derr := h.boardFormData(c, b)
		if derr != nil {
			web.Fail(c, derr)
			return
		}
		data["Title"] = "New board"
		web.Form(c, "board_form.html", data, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d", b.ID), "Board "+b.Name+" created")
}

func (h *Handler) boardID(c *gin.Context) int64 { return c.GetInt64("board_id") }

func (h *Handler) showBoard(c *gin.Context) {
	h.renderBoard(c, http.StatusOK, nil)
}

func (h *Handler) renderBoard(c *gin.Context, status int, formErr error) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	upcoming, err := h.store.Meetings(ctx, b.ID, true, 20)
	if err != nil {
		web.Fail(c, err)
		return
	}
	past, err := h.store.Meetings(ctx, b.ID, false, 20)
	if err != nil {
		web.Fail(c, err)
		return
	}
	standing, err := h.store.StandingItems(ctx, b.ID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	clerk, member := web.BoardRole(c)
	data := web.H{"Title": b.Name, "Nav": "boards", "Board": b, "Groups": groupByOrganisation(b.Members),
		"Upcoming": upcoming, "Past": past, "Standing": standing, "IsClerk": clerk, "IsMember": member,
		"Roles": Roles, "Today": time.Now().In(London).Format("2006-01-02")}
	if clerk {
		people, err := h.store.People(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		orgs, err := h.store.Organisations(ctx)
		if err != nil {
			web.Fail(c, err)
			return
		}
		data["People"], data["Organisations"] = people, orgs
	}
	if formErr != nil {
		web.Form(c, "board_show.html", data, formErr)
		return
	}
	web.HTML(c, status, "board_show.html", data)
}

// OrganisationGroup is a board's members from one organisation.
type OrganisationGroup struct {
	Organisation string
	Members      []Membership
}

func groupByOrganisation(ms []Membership) []OrganisationGroup {
	var out []OrganisationGroup
	index := map[string]int{}
	for _, m := range ms {
		name := m.OrganisationName
		if name == "" {
			name = "No organisation"
		}
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, OrganisationGroup{Organisation: name})
		}
		out[i].Members = append(out[i].Members, m)
	}
	return out
}

func (h *Handler) editBoard(c *gin.Context) {
	b, err := h.store.Board(c.Request.Context(), h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	data, err := h.boardFormData(c, b)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data["Title"] = "Edit " + b.Name
	web.HTML(c, http.StatusOK, "board_form.html", data)
}

func (h *Handler) updateBoard(c *gin.Context) {
	b, err := h.store.Board(c.Request.Context(), h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	boardFromForm(c, b)
	if err := h.store.UpdateBoard(web.Ctx(c), b); err != nil {
		data, derr := h.boardFormData(c, b)
		if derr != nil {
			web.Fail(c, derr)
			return
		}
		data["Title"] = "Edit " + b.Name
		web.Form(c, "board_form.html", data, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d", b.ID), "Board settings saved")
}

func memberFromForm(c *gin.Context, m *Membership) {
	m.PersonID, _ = strconv.ParseInt(c.PostForm("person_id"), 10, 64)
	m.Role = c.PostForm("role")
	m.OrganisationID, _ = strconv.ParseInt(c.PostForm("organisation_id"), 10, 64)
	m.StartsOn = strings.TrimSpace(c.PostForm("starts_on"))
	m.EndsOn = strings.TrimSpace(c.PostForm("ends_on"))
	m.DeputyID, _ = strconv.ParseInt(c.PostForm("deputy_id"), 10, 64)
}

func (h *Handler) addMember(c *gin.Context) {
	m := &Membership{BoardID: h.boardID(c)}
	memberFromForm(c, m)
	if err := h.store.AddMember(web.Ctx(c), m); err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	p, _ := h.store.Person(c.Request.Context(), m.PersonID)
	web.Redirect(c, fmt.Sprintf("/boards/%d", m.BoardID), p.Name+" added as "+RoleLabel(m.Role))
}

func (h *Handler) updateMember(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	m, err := h.store.Membership(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	person := m.PersonID
	memberFromForm(c, m)
	m.PersonID = person
	if err := h.store.UpdateMember(web.Ctx(c), m); err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d", m.BoardID), "Membership of "+m.PersonName+" saved")
}

func (h *Handler) addStandingItem(c *gin.Context) {
	_, err := h.store.AddStandingItem(web.Ctx(c), h.boardID(c), c.PostForm("title"), c.PostForm("purpose"), c.PostForm("presenter"))
	if err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/boards/%d", h.boardID(c)), "Standing item added: it goes onto every meeting scheduled from now")
}

// --- meetings

// parseLocal reads a date and a time typed in London time.
func parseLocal(date, clock string) (time.Time, error) {
	if strings.TrimSpace(clock) == "" {
		clock = "10:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), London)
	if err != nil {
		return time.Time{}, errs.Field("date", "Enter a real date and time, such as 2026-06-17 and 10:00")
	}
	return t, nil
}

func (h *Handler) scheduleMeeting(c *gin.Context) {
	ctx := c.Request.Context()
	b, err := h.store.Board(ctx, h.boardID(c))
	if err != nil {
		web.Fail(c, err)
		return
	}
	clock := c.PostForm("time")
	if clock == "" {
		clock = b.DefaultStart
	}
	m := &Meeting{BoardID: b.ID, Mode: c.DefaultPostForm("mode", b.DefaultMode), Place: c.DefaultPostForm("place", b.DefaultPlace)}
	if m.Place == "" {
		m.Place = b.DefaultPlace
	}
	if m.StartsAt, err = parseLocal(c.PostForm("date"), clock); err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	m.EndsAt = m.StartsAt.Add(time.Duration(b.DefaultMinutes) * time.Minute)
	if err := h.store.ScheduleMeeting(web.Ctx(c), m); err != nil {
		h.renderBoard(c, 0, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/meetings/%d", m.ID), "Meeting scheduled with its standard and standing items")
}

// --- people and organisations

func (h *Handler) peopleData(c *gin.Context) (web.H, error) {
	people, err := h.store.People(c.Request.Context())
	if err != nil {
		return nil, err
	}
	orgs, err := h.store.Organisations(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return web.H{"Title": "People", "Nav": "admin", "People": people, "Organisations": orgs}, nil
}

func (h *Handler) listPeople(c *gin.Context) {
	data, err := h.peopleData(c)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.HTML(c, http.StatusOK, "people.html", data)
}

func personFromForm(c *gin.Context, p *Person) {
	p.Name = c.PostForm("name")
	p.JobTitle = c.PostForm("job_title")
	p.Email = c.PostForm("email")
	p.Initials = c.PostForm("initials")
	p.Handle = c.PostForm("handle")
	p.OrganisationID, _ = strconv.ParseInt(c.PostForm("organisation_id"), 10, 64)
}

func (h *Handler) createPerson(c *gin.Context) {
	p := &Person{}
	personFromForm(c, p)
	if err := h.store.CreatePerson(web.Ctx(c), p); err != nil {
		data, derr := h.peopleData(c)
		if derr != nil {
			web.Fail(c, derr)
			return
		}
		data["Person"] = p
		web.Form(c, "people.html", data, err)
		return
	}
	next := c.PostForm("next")
	if !strings.HasPrefix(next, "/boards/") {
		next = "/people"
	}
	web.Redirect(c, next, p.Name+" added")
}

func (h *Handler) showPerson(c *gin.Context) {
	h.renderPerson(c, nil, nil)
}

func (h *Handler) renderPerson(c *gin.Context, p *Person, formErr error) {
	ctx := c.Request.Context()
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if p == nil {
		if p, err = h.store.Person(ctx, id); err != nil {
			web.Fail(c, err)
			return
		}
	}
	boards, err := h.store.PersonBoards(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	orgs, err := h.store.Organisations(ctx)
	if err != nil {
		web.Fail(c, err)
		return
	}
	reg, err := h.store.PersonRegister(ctx, id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": p.Name, "Nav": "admin", "Person": p, "Boards": boards, "Organisations": orgs, "Register": reg,
		"InterestKinds": InterestKinds, "Today": time.Now().In(London).Format("2006-01-02")}
	if formErr != nil {
		web.Form(c, "person_show.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "person_show.html", data)
}

func (h *Handler) updatePerson(c *gin.Context) {
	id, _ := web.ParseID(c.Param("id"))
	p, err := h.store.Person(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	personFromForm(c, p)
	if err := h.store.UpdatePerson(web.Ctx(c), p); err != nil {
		h.renderPerson(c, p, err)
		return
	}
	web.Redirect(c, fmt.Sprintf("/people/%d", id), "Details of "+p.Name+" saved")
}

func (h *Handler) listOrganisations(c *gin.Context) {
	h.renderOrganisations(c, nil, nil)
}

func (h *Handler) renderOrganisations(c *gin.Context, o *Organisation, formErr error) {
	orgs, err := h.store.Organisations(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	data := web.H{"Title": "Organisations", "Nav": "admin", "Organisations": orgs, "Kinds": OrganisationKinds, "Organisation": o}
	if formErr != nil {
		web.Form(c, "organisations.html", data, formErr)
		return
	}
	web.HTML(c, http.StatusOK, "organisations.html", data)
}

func (h *Handler) createOrganisation(c *gin.Context) {
	o := &Organisation{Name: c.PostForm("name"), Handle: c.PostForm("handle"), Kind: c.PostForm("kind"), Partner: c.PostForm("partner") == "1"}
	if err := h.store.CreateOrganisation(web.Ctx(c), o); err != nil {
		h.renderOrganisations(c, o, err)
		return
	}
	web.Redirect(c, "/organisations", o.Name+" added")
}

func (h *Handler) showOrganisation(c *gin.Context) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	o, err := h.store.Organisation(c.Request.Context(), id)
	if err != nil {
		web.Fail(c, err)
		return
	}
	web.HTML(c, http.StatusOK, "organisation_edit.html", web.H{"Title": o.Name, "Nav": "admin", "Organisation": o, "Kinds": OrganisationKinds})
}

func (h *Handler) updateOrganisation(c *gin.Context) {
	id, err := web.ParseID(c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if _, err := h.store.Organisation(c.Request.Context(), id); err != nil {
		web.Fail(c, err)
		return
	}
	o := &Organisation{ID: id, Name: c.PostForm("name"), Handle: c.PostForm("handle"), Kind: c.PostForm("kind"), Partner: c.PostForm("partner") == "1"}
	if err := h.store.UpdateOrganisation(web.Ctx(c), o); err != nil {
		web.Form(c, "organisation_edit.html", web.H{"Title": "Edit organisation", "Nav": "admin", "Organisation": o, "Kinds": OrganisationKinds}, err)
		return
	}
	web.Redirect(c, "/organisations", o.Name+" saved")
}
