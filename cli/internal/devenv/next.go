package devenv

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// PrintNextSteps tells what to try once the environment is up.
func (e *Env) PrintNextSteps() {
	kubeconfig := e.Kubeconfig
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, kubeconfig); err == nil && filepath.IsLocal(rel) {
			kubeconfig = "$PWD/" + rel
		}
	}
	fmt.Fprintf(e.cfg.Out.Out, `
Tide is running: a local control plane, both controllers, and the demo fleet repo
%s synced into the cluster, with a Helm chart repository (%s)
and an OCI registry (%s) beside it. Try:

  export KUBECONFIG=%s
  bin/tide get all -A                       # the sources and Kustomizations
  bin/tide get sources chart                # the hello chart, packaged from the chart repository
  bin/tide get images all -A                # the demo image's scan, the tag picked, the automation's push
  kubectl -n %s get deploy,pods,svc         # the demo app (if you have kubectl)

Change the fleet and watch it applied: after each push the Git server calls the
generic Receiver %s/%s (%s), so the commit is fetched at once
(the GitRepository's 10m poll is only the fallback):

  git clone %s /tmp/fleet
  sed -i 's/replicas: 2/replicas: 3/' /tmp/fleet/apps/deployment.yaml
  git -C /tmp/fleet commit -am "Scale hello to 3" && git -C /tmp/fleet push
  bin/tide get kustomizations -A            # apps moves to the new commit within seconds
  tail -f %s   # the Alert's events (generic Provider)

Push a new OCI artifact and watch apps-oci apply it:

  sed -i 's/an OCI artifact/a new OCI artifact/' /tmp/fleet/oci-app/configmap.yaml
  bin/tide push artifact %s:%s --path=/tmp/fleet/oci-app \
    --source=%s --revision="main@sha1:$(git -C /tmp/fleet rev-parse HEAD)"
  bin/tide reconcile source oci %s           # then: bin/tide get kustomizations apps-oci

Logs: %s/<name>.log. Ctrl-C stops everything; so does `+"`tide dev down`"+` from another terminal.
`, e.RepoURL, e.ChartRepoURL, e.OCIRepoURL, kubeconfig, DemoNamespace,
		kube.DefaultNamespace, DemoReceiver, e.ReceiverURL, e.RepoURL, e.path("logs", NotificationsLog),
		e.OCIRepoURL, DemoArtifactTag, e.RepoURL, DemoOCIRepository, e.path("logs"))
}
