package bootstrap

import (
	"bytes"
	"testing"

	"k8s.io/client-go/rest"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// --components-extra takes Flux's extra components: an unknown one is
// refused before anything is pushed or installed, naming it.
func TestComponentsExtraValidatedFirst(t *testing.T) {
	cmd := New(kube.WithConfig(&rest.Config{Host: "https://127.0.0.1:1"}, "flux-system"))
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs([]string{"git", "--url=https://git.invalid/fleet.git", "--silent", "--components-extra=source-watcher"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(`unknown component "source-watcher"`)) {
		t.Fatalf("bootstrap = %v, want an unknown component error\n%s", err, out.String())
	}
}
