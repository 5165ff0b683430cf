package kustomization

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// The expressions of Flux's envsubst work as in Flux, '$$' escapes '$', and
// values read from a ConfigMap lose their line breaks, as Flux's do.
func TestSubstitutionSpeaksFluxsEnvsubst(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	create(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "vars", Namespace: ns},
		Data: map[string]string{"REGION": "eu-west-1\n"}})
	repo := newSource(t, ns, map[string]string{
		"web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n" +
			"  upper: ${ENV^^}\n" +
			"  replaced: ${DOMAIN//./-}\n" +
			"  sliced: ${ENV:0:3}\n" +
			"  trimmed: ${DOMAIN%.com}\n" +
			"  region: ${REGION}-a\n" +
			"  script: echo $$HOME $${ENV}\n",
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{
			Substitute:     map[string]string{"ENV": "production", "DOMAIN": "shop.example.com"},
			SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "vars"}},
		}
	})
	waitApplied(t, ks, *repo.Status.Artifact)
	g.Expect(configMap(t, ns, "web").Data).To(Equal(map[string]string{
		"upper":    "PRODUCTION",
		"replaced": "shop-example-com",
		"sliced":   "pro",
		"trimmed":  "shop.example",
		"region":   "eu-west-1-a",
		"script":   "echo $HOME ${ENV}",
	}))
}

// What Flux's envsubst cannot parse is refused with a message that shows
// the reference, and nothing of the build is applied.
func TestSubstitutionRefusesWhatFluxCannotParse(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	repo := newSource(t, ns, map[string]string{
		"good.yaml": configMapYAML("good", "${ENV}"),
		"bad.yaml":  configMapYAML("bad", "${ENV-dev}"),
	})
	ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
		k.Spec.PostBuild = &kustomizev1.PostBuild{Substitute: map[string]string{"ENV": "prod"}}
	})
	msg := waitFailed(t, ks, kustomizev1.BuildFailedReason)
	g.Expect(msg).To(And(
		ContainSubstring("ConfigMap/"+ns+"/bad"),
		ContainSubstring("'${ENV-dev}"),
		ContainSubstring("cannot be parsed (missing closing brace)"),
		ContainSubstring("write $${ for a literal '${'")))
	waitEvent(t, ks, "${ENV-dev}", "cannot be parsed")
	g.Expect(configMap(t, ns, "good")).To(BeNil(), "nothing of a failed build is applied")
}

// substituteStrategy: Always substitutes without any variable, so that the
// defaults apply; the default, WithVariables, applies the YAML as written.
func TestSubstituteStrategy(t *testing.T) {
	files := map[string]string{"app.yaml": configMapYAML("app", "${ENV:=dev}")}
	t.Run("Always", func(t *testing.T) {
		ns := testkit.NewNamespace(t, env.cp.Client)
		repo := newSource(t, ns, files)
		ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteStrategy: kustomizev1.SubstituteStrategyAlways}
		})
		waitApplied(t, ks, *repo.Status.Artifact)
		NewWithT(t).Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "dev"))
	})
	t.Run("WithVariables", func(t *testing.T) {
		ns := testkit.NewNamespace(t, env.cp.Client)
		repo := newSource(t, ns, files)
		ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteStrategy: kustomizev1.SubstituteStrategyWithVariables,
				SubstituteFrom: []kustomizev1.SubstituteReference{{Kind: "ConfigMap", Name: "absent", Optional: true}}}
		})
		waitApplied(t, ks, *repo.Status.Artifact)
		NewWithT(t).Expect(configMap(t, ns, "app").Data).To(HaveKeyWithValue("key", "${ENV:=dev}"))
	})
	t.Run("Always with a variable that has no value", func(t *testing.T) {
		ns := testkit.NewNamespace(t, env.cp.Client)
		repo := newSource(t, ns, map[string]string{"app.yaml": configMapYAML("app", "${ENV}")})
		ks := newKustomization(t, repo, func(k *kustomizev1.Kustomization) {
			k.Spec.PostBuild = &kustomizev1.PostBuild{SubstituteStrategy: kustomizev1.SubstituteStrategyAlways}
		})
		msg := waitFailed(t, ks, kustomizev1.BuildFailedReason)
		NewWithT(t).Expect(msg).To(ContainSubstring("variable 'ENV' is not set and has no default"))
	})
}
