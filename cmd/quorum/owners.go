package main

import (
	"context"

	"quorum/actions"
)

// ownerRoles is boardRoles that also knows who owns an action or leads a plan action, so
// that routes open to owners (web.MemberOrOwner) let officers through on boards they do
// not sit on.
type ownerRoles struct {
	boardRoles
	actions *actions.Store
}

// Owns answers web.Owners.
func (o ownerRoles) Owns(ctx context.Context, kind string, personID, id int64) (bool, error) {
	switch kind {
	case "action":
		return o.actions.IsOwner(ctx, personID, id)
	case "plan_action":
		return o.actions.IsPlanLead(ctx, personID, id)
	}
	return false, nil
}
