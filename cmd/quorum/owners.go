package main

import (
	"context"

	"quorum/actions"
)

// ownerRoles is boardRoles that also knows who owns an action, so that the action routes
// open to owners (web.MemberOrOwner) let officers through on boards they do not sit on.
type ownerRoles struct {
	boardRoles
	actions *actions.Store
}

// Owns answers web.Owners.
func (o ownerRoles) Owns(ctx context.Context, kind string, personID, id int64) (bool, error) {
	if kind != "action" {
		return false, nil
	}
	return o.actions.IsOwner(ctx, personID, id)
}
