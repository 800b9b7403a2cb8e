package actions

import (
	"context"

	"quorum/internal/db"
)

// IsPlanLead reports whether the person leads the plan action, so that a lead who does
// not sit on the board still reaches their own action's page.
func (s *Store) IsPlanLead(ctx context.Context, personID, planActionID int64) (bool, error) {
	var lead int64
	err := s.queryRow(ctx, `SELECT coalesce(lead_person_id, 0) FROM plan_actions WHERE id = ?`, planActionID).Scan(&lead)
	if db.IsNoRows(err) {
		return false, nil
	}
	return err == nil && lead != 0 && lead == personID, err
}
