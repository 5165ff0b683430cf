package helmrelease

import (
	"context"
	"testing"

	"github.com/fluxcd/pkg/apis/meta"
	"github.com/fluxcd/pkg/runtime/conditions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
)

// readyMessage reads hr and tells its Ready condition, for failure messages.
func readyMessage(t *testing.T, hr *helmv2.HelmRelease) string {
	_ = env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), hr)
	c := conditions.Get(hr, meta.ReadyCondition)
	if c == nil {
		return "no Ready condition"
	}
	return string(c.Status) + " " + c.Reason + ": " + c.Message
}

func conditionReason(obj conditions.Getter, typ string) string {
	if c := conditions.Get(obj, typ); c != nil {
		return c.Reason
	}
	return ""
}

func conditionMessage(obj conditions.Getter, typ string) string {
	return conditions.GetMessage(obj, typ)
}

func conditionTypes(obj conditions.Getter) []string {
	var types []string
	for _, c := range obj.GetConditions() {
		types = append(types, c.Type)
	}
	return types
}
