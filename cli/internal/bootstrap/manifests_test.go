package bootstrap

import (
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/tidegitops/tide/manifests"
)

func TestSyncObjects(t *testing.T) {
	tests := []struct {
		name          string
		opts          Options
		wantPath      string
		wantDir       string
		wantSecretRef bool
	}{
		{"public repo, nested path", Options{URL: "https://h/r.git", Path: "./clusters/dev/"}, "./clusters/dev", "clusters/dev/flux-system", false},
		{"basic auth", Options{URL: "https://h/r.git", Path: "clusters/dev", Username: "u", Password: "p"}, "./clusters/dev", "clusters/dev/flux-system", true},
		{"token", Options{URL: "https://h/r.git", Path: "/clusters/dev", Token: "t"}, "./clusters/dev", "clusters/dev/flux-system", true},
		{"repository root", Options{URL: "ssh://git@h/r.git", PrivateKeyFile: "id"}, "./", "flux-system", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			o := tt.opts.withDefaults(nil)
			g.Expect(o.validate()).To(Succeed())
			g.Expect(o.dir()).To(Equal(tt.wantDir))
			objs := syncObjects(o)
			g.Expect(objs).To(HaveLen(2))
			source, ks := objs[0].Object, objs[1].Object
			g.Expect(source["metadata"]).To(Equal(map[string]any{"name": "flux-system", "namespace": "flux-system"}))
			spec := source["spec"].(map[string]any)
			g.Expect(spec).To(HaveKeyWithValue("ref", map[string]any{"branch": "main"}))
			g.Expect(spec).To(HaveKeyWithValue("interval", time.Minute.String()))
			if tt.wantSecretRef {
				g.Expect(spec).To(HaveKeyWithValue("secretRef", map[string]any{"name": "flux-system"}))
			} else {
				g.Expect(spec).NotTo(HaveKey("secretRef"))
			}
			g.Expect(ks["spec"]).To(HaveKeyWithValue("path", tt.wantPath))
			g.Expect(ks["spec"]).To(HaveKeyWithValue("prune", true))
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "no repository URL: set --url"},
		{Options{URL: "u", Token: "t", Username: "x"}, "--token cannot be combined with --username or --private-key-file"},
		{Options{URL: "u", Path: "../elsewhere"}, "--path must stay inside the repository"},
		{Options{URL: "u", Components: []string{"image-reflector-controller"}}, `unknown component "image-reflector-controller": pick from ` + strings.Join(manifests.AllControllers(), ", ")},
	}
	for _, tt := range tests {
		err := tt.opts.withDefaults(nil).validate()
		NewWithT(t).Expect(err).To(MatchError(tt.want))
	}
}
