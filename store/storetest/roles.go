package storetest

import (
	"context"
	"testing"

	"github.com/lectern/lectern/classroom"
	"github.com/lectern/lectern/store"
)

// GrantRole gives an account a role straight in the store, as an admin
// would, for tests about something else.
func GrantRole(t testing.TB, st *store.Store, accountID string, role classroom.Role) {
	t.Helper()
	ctx := context.Background()
	a, err := st.Account(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	a.Roles = a.Roles.With(role)
	if err := st.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
}
