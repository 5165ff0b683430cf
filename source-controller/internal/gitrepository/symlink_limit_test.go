package gitrepository

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/fluxcd/pkg/runtime/conditions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/source-controller/internal/sourcetree"
	"github.com/tidegitops/tide/testkit"
)

// A commit whose symlinked folders copy each other (one file, six levels of
// ten links each pointing at the level below: 2.3 million entries) is
// refused once links add more than sourcetree.MaxLinkedEntries entries: the
// object says which link and what to do, the previous artifact stays served,
// and excluding the links with spec.ignore makes the commit archivable.
func TestReconcileSymlinkFanOut(t *testing.T) {
	srv := testkit.StartGitServer(t)
	repo := srv.NewRepo(t, "fanout").WriteFiles(map[string]string{"apps/app.yaml": "app\n"})
	repo.Commit("good")
	ns := testkit.NewNamespace(t, env.CP.Client)
	obj := newGitRepository(ns, srv.HTTPURL("fanout"))
	create(t, obj)
	waitReady(t, obj)
	good := *obj.Status.Artifact

	repo.Write("l0/file", "x\n")
	for l := 1; l <= 6; l++ {
		for i := range 10 {
			repo.Symlink(fmt.Sprintf("../l%d", l-1), fmt.Sprintf("l%d/x%d", l, i))
		}
	}
	repo.Commit("fan-out")
	requestReconcileNoWait(t, obj)
	ready := waitNotReady(t, obj, sourcev1.ArchiveOperationFailedReason)
	for _, want := range []string{
		fmt.Sprintf("more than %d entries", sourcetree.MaxLinkedEntries),
		"below the link 'l5/x", "remove or narrow the symlinked folders", "spec.ignore",
	} {
		if !strings.Contains(ready.Message, want) {
			t.Errorf("Ready message %q does not contain %q", ready.Message, want)
		}
	}
	if !conditions.IsTrue(obj, sourcev1.StorageOperationFailedCondition) {
		t.Errorf("StorageOperationFailed should be True")
	}
	if obj.Status.Artifact == nil || obj.Status.Artifact.Digest != good.Digest {
		t.Fatalf("status.artifact changed to %v, want the last good one", obj.Status.Artifact)
	}
	if files := tarFiles(t, download(t, &good)); files["apps/app.yaml"] != "app\n" {
		t.Errorf("the last good artifact is no longer served as it was: %v", files)
	}

	patch := client.MergeFrom(obj.DeepCopy())
	ignore := "/l[1-6]/\n"
	obj.Spec.Ignore = &ignore
	if err := env.CP.Client.Patch(context.Background(), obj, patch); err != nil {
		t.Fatal(err)
	}
	waitReady(t, obj)
	if obj.Status.Artifact.Revision == good.Revision {
		t.Fatalf("still at revision %s after excluding the links", good.Revision)
	}
	files := tarFiles(t, download(t, obj.Status.Artifact))
	if files["l0/file"] != "x\n" || len(files) > 10 {
		t.Errorf("artifact with the links excluded holds %d files: %v", len(files), files)
	}
}
