package build_test

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	kustomizev1 "github.com/tidegitops/tide/api/kustomize/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tidegitops/tide/kustomize-controller/build"
	"github.com/tidegitops/tide/testkit"
)

func TestRefuseEncrypted(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{{
		name:    "an encrypted manifest",
		files:   map[string]string{"secret.yaml": testkit.SOPSEncryptedSecret, "cm.yaml": configMap("cm")},
		wantErr: "Secret/db is SOPS-encrypted (it has a top-level 'sops' field)",
	}, {
		name: "an encrypted manifest of another kind",
		files: map[string]string{"cm.yaml": configMap("cm") +
			"sops:\n  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]\n  version: 3.9.0\n"},
		wantErr: "ConfigMap/cm is SOPS-encrypted",
	}, {
		name: "a Secret generated from an encrypted .env file",
		files: map[string]string{
			"kustomization.yaml": "secretGenerator:\n- name: creds\n  envs: [creds.env]\n  options: {disableNameSuffixHash: true}\n",
			"creds.env": "PASSWORD=ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]\n" +
				"sops_version=3.9.0\nsops_mac=ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]\n",
		},
		wantErr: "Secret/creds holds SOPS-encrypted data under 'PASSWORD' (made from an encrypted file by a secretGenerator)",
	}, {
		name: "a Secret generated from an encrypted YAML file",
		files: map[string]string{
			"kustomization.yaml": "secretGenerator:\n- name: creds\n  files: [config.yaml]\n  options: {disableNameSuffixHash: true}\n",
			"config.yaml":        "password: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]\nsops:\n  version: 3.9.0\n",
		},
		wantErr: "Secret/creds holds SOPS-encrypted data under 'config.yaml'",
	}, {
		name: "an encrypted manifest that opted out of decryption is applied as it is, as in Flux",
		files: map[string]string{"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n" +
			"    kustomize.toolkit.fluxcd.io/decrypt: disabled\nsops:\n  version: 3.9.0\n"},
	}, {
		name: "a ConfigMap may carry an encrypted file for the application to decrypt",
		files: map[string]string{
			"kustomization.yaml": "configMapGenerator:\n- name: sealed\n  files: [config.yaml]\n",
			"config.yaml":        "password: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]\nsops:\n  version: 3.9.0\n",
		},
	}, {
		name:  "plain Secrets",
		files: map[string]string{"secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\nstringData:\n  a: ENC\n"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			objs, err := build.Build(writeTree(t, tt.files), build.Options{})
			g.Expect(err).NotTo(HaveOccurred())
			err = build.RefuseEncrypted(objs)
			if tt.wantErr == "" {
				g.Expect(err).NotTo(HaveOccurred())
				return
			}
			g.Expect(err).To(MatchError(build.ErrEncrypted))
			g.Expect(err.Error()).To(HavePrefix(tt.wantErr))
			g.Expect(err.Error()).NotTo(ContainSubstring("c2VjcmV0"), "no ciphertext in messages")
		})
	}
}

func TestRefuseEncrypted_ErrorIsErrEncrypted(t *testing.T) {
	err := build.RefuseEncrypted([]*unstructured.Unstructured{object(t, testkit.SOPSEncryptedSecret)})
	NewWithT(t).Expect(errors.Is(err, build.ErrEncrypted)).To(BeTrue())
}

// PostBuild, which the controller and the CLI both call, refuses ciphertext
// with an *EncryptedError that says what to do, after substitution and
// commonMetadata, whose values cannot opt an object out.
func TestPostBuildRefusesEncrypted(t *testing.T) {
	g := NewWithT(t)
	_, err := build.PostBuild([]*unstructured.Unstructured{object(t, testkit.SOPSEncryptedSecret)},
		&kustomizev1.KustomizationSpec{}, nil, build.PostBuildOptions{})
	var encrypted *build.EncryptedError
	g.Expect(errors.As(err, &encrypted)).To(BeTrue())
	g.Expect(err).To(MatchError(build.ErrEncrypted))
	g.Expect(err.Error()).To(ContainSubstring("Secret/db is SOPS-encrypted"))
	g.Expect(encrypted.Explain("nothing was applied")).To(ContainSubstring("no spec.decryption: nothing was applied. Set spec.decryption"))
	g.Expect(err.Error()).NotTo(ContainSubstring("c2VjcmV0"))

	objs, err := build.PostBuild([]*unstructured.Unstructured{object(t, configMap("cm"))},
		&kustomizev1.KustomizationSpec{}, nil, build.PostBuildOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(objs).To(HaveLen(1))
}
