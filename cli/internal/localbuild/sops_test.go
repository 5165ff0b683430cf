package localbuild_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	. "github.com/onsi/gomega"

	buildcmd "github.com/tidegitops/tide/cli/internal/commands/build"
	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/testkit"
)

// `tide build` refuses a build with SOPS ciphertext, as the controller
// does, instead of printing what the controller would never apply; an
// object annotated decrypt: disabled is printed as it is, as the
// controller applies it.
func TestBuildRefusesSOPSEncrypted(t *testing.T) {
	root := writeTree(t, map[string]string{
		"apps/db.yaml":    testkit.SOPSEncryptedSecret,
		"optout/db.yaml":  "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: disabled\nsops:\n  version: 3.9.0\n",
		"plain.yaml":      "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: team}\nspec: {targetNamespace: team}\n",
		"decryption.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: team}\nspec:\n  decryption: {provider: sops}\n",
	})
	run := func(dir, ksFile string) (string, error) {
		var out bytes.Buffer
		cmd := buildcmd.New(kube.WithConfig(cp.Config, "team"))
		cmd.SetArgs([]string{"kustomization", "apps", "--path", filepath.Join(root, dir),
			"--kustomization-file", filepath.Join(root, ksFile), "--dry-run"})
		cmd.SetOut(&out)
		cmd.SetErr(&bytes.Buffer{})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.ExecuteContext(context.Background())
		return out.String(), err
	}

	t.Run("without spec.decryption", func(t *testing.T) {
		g := NewWithT(t)
		out, err := run("apps", "plain.yaml")
		g.Expect(err).To(HaveOccurred())
		g.Expect(out).To(BeEmpty())
		for _, want := range []string{"Secret/team/db is SOPS-encrypted", "no spec.decryption",
			"the kustomize-controller applies nothing of this build", "Set spec.decryption",
			"kustomize.toolkit.fluxcd.io/decrypt: disabled"} {
			g.Expect(err.Error()).To(ContainSubstring(want))
		}
		g.Expect(err.Error()).NotTo(ContainSubstring("c2VjcmV0"))
	})
	t.Run("with spec.decryption", func(t *testing.T) {
		g := NewWithT(t)
		out, err := run("apps", "decryption.yaml")
		g.Expect(err).To(HaveOccurred())
		g.Expect(out).To(BeEmpty())
		g.Expect(err.Error()).To(ContainSubstring("Tide cannot decrypt SOPS yet (spec.decryption is set)"))
	})
	t.Run("opted out of decryption", func(t *testing.T) {
		g := NewWithT(t)
		out, err := run("optout", "plain.yaml")
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(out).To(ContainSubstring("name: db"))
	})
}
