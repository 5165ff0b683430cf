package kustomization

import (
	"context"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"github.com/tidegitops/tide/testkit"
)

// A Kustomization without spec.decryption never applies SOPS ciphertext:
// an encrypted manifest, or a Secret a secretGenerator made from an
// encrypted file, fails the reconciliation as in Flux, and nothing of the
// build is applied.
func TestSOPSEncryptedWithoutDecryptionIsRefused(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{{
		name:  "encrypted manifest",
		files: map[string]string{"db.yaml": testkit.SOPSEncryptedSecret, "app.yaml": configMapYAML("app", "v1")},
		want:  "Secret/NS/db is SOPS-encrypted",
	}, {
		name: "secretGenerator with an encrypted .env file",
		files: map[string]string{
			"kustomization.yaml": "resources: [app.yaml]\nsecretGenerator:\n- name: creds\n  envs: [creds.env]\n",
			"app.yaml":           configMapYAML("app", "v1"),
			"creds.env": "PASSWORD=ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]\n" +
				"sops_version=3.9.0\nsops_mac=ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]\n",
		},
		want: "holds SOPS-encrypted data under 'PASSWORD'",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ns := testkit.NewNamespace(t, env.cp.Client)
			repo := newSource(t, ns, tt.files)
			ks := newKustomization(t, repo)
			msg := waitFailed(t, ks, kustomizev1.ReconciliationFailedReason)
			g.Expect(msg).To(ContainSubstring(strings.ReplaceAll(tt.want, "NS", ns)))
			g.Expect(msg).To(ContainSubstring("no spec.decryption: nothing was applied"))
			g.Expect(msg).To(ContainSubstring("Set spec.decryption"))
			g.Expect(msg).To(ContainSubstring("Tide cannot decrypt SOPS yet"))
			g.Expect(msg).NotTo(ContainSubstring("c2VjcmV0"), "no ciphertext in the status")
			waitEvent(t, ks, "SOPS-encrypted", "Set spec.decryption")
			g.Expect(configMap(t, ns, "app")).To(BeNil(), "nothing of the build is applied")
			var secrets corev1.SecretList
			g.Expect(env.cp.Client.List(context.Background(), &secrets, client.InNamespace(ns))).To(Succeed())
			g.Expect(secrets.Items).To(BeEmpty())
			g.Expect(ks.Status.Inventory).To(BeNil())
		})
	}
}
