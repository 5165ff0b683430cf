package release

import (
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/engine"
	"github.com/fluxcd/cli-utils/pkg/kstatus/polling/statusreaders"
	"github.com/fluxcd/cli-utils/pkg/kstatus/status"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/tidegitops/tide/clusterkit/health"
)

// exprReader is a kstatus status reader for Helm's wait that reads the
// health of the kinds a HelmRelease's healthCheckExprs name with those
// expressions (clusterkit/health, the kustomize-controller's own), and any
// other version of those kinds with kstatus. Helm puts it before its own
// readers, so it decides for the kinds it supports.
type exprReader struct {
	exprs *health.Exprs
	engine.StatusReader
}

func newExprReader(mapper meta.RESTMapper, exprs *health.Exprs) engine.StatusReader {
	r := &exprReader{exprs: exprs}
	r.StatusReader = statusreaders.NewGenericStatusReader(mapper, r.status)
	return r
}

func (r *exprReader) Supports(gk schema.GroupKind) bool { return r.exprs.CoversGroupKind(gk) }

// status is the health of one object read from the cluster.
func (r *exprReader) status(obj *unstructured.Unstructured) (*status.Result, error) {
	if res, ok := r.exprs.Evaluate(obj); ok {
		return &status.Result{Status: status.Status(res.Status), Message: res.Message}, nil
	}
	return status.Compute(obj)
}
