package build

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ErrEncrypted: a built object holds SOPS-encrypted content while the
// Kustomization has no spec.decryption.
var ErrEncrypted = errors.New("SOPS-encrypted")

// decryptKey is the annotation with which an object opts out of decryption,
// and of the check for encrypted content, with the value "disabled".
const decryptKey = "kustomize.toolkit.fluxcd.io/decrypt"

// sopsValuePrefix starts every value SOPS encrypted, whatever the format of
// the file it came from.
const sopsValuePrefix = "ENC[AES256_GCM,data:"

// RefuseEncrypted fails on the first object that still holds SOPS
// ciphertext, so that a Kustomization without spec.decryption never applies
// it. It finds:
//   - a manifest encrypted with SOPS: the object has a top-level 'sops'
//     field (Flux checks this for Secrets only; any kind is refused here,
//     since the field is SOPS's metadata whatever the kind);
//   - a Secret made by a secretGenerator from an encrypted file: a value,
//     decoded, holds SOPS ciphertext (an encrypted .env file becomes one
//     'ENC[...]' value per key, an encrypted JSON or YAML file one value).
//
// An object annotated kustomize.toolkit.fluxcd.io/decrypt: disabled is
// applied as it is, as Flux does. ConfigMaps are never looked into: an
// application may well read an encrypted file from one and decrypt it
// itself.
func RefuseEncrypted(objects []*unstructured.Unstructured) error {
	for _, obj := range objects {
		if strings.EqualFold(obj.GetAnnotations()[decryptKey], disabled) {
			continue
		}
		if _, ok := obj.Object["sops"]; ok {
			return encryptedError(fmt.Sprintf("%s is SOPS-encrypted (it has a top-level 'sops' field)", objectRef(obj)))
		}
		if isSecret(obj) {
			if key, ok := encryptedKey(obj); ok {
				return encryptedError(fmt.Sprintf("%s holds SOPS-encrypted data under '%s' "+
					"(made from an encrypted file by a secretGenerator)", objectRef(obj), key))
			}
		}
	}
	return nil
}

// EncryptedError is PostBuild's refusal of a build that still holds SOPS
// ciphertext. It is an ErrEncrypted. Its message never holds ciphertext.
type EncryptedError struct {
	// Found names the object and where in it the ciphertext is.
	Found string
	// Decryption: the Kustomization sets spec.decryption, which Tide cannot
	// honour yet (the controller stalls on it before it builds).
	Decryption bool
}

// Error tells what was found and what to do, for a reader of the build
// (`tide build`, `tide diff`).
func (e *EncryptedError) Error() string {
	return e.Explain("the kustomize-controller applies nothing of this build")
}

// Explain tells what was found, then outcome (what became of the build),
// then what to do.
func (e *EncryptedError) Explain(outcome string) string {
	if e.Decryption {
		return e.Found + ", and Tide cannot decrypt SOPS yet (spec.decryption is set): " + outcome +
			". Keep this Kustomization on Flux's kustomize-controller until Tide can, or annotate the object " +
			decryptKey + ": disabled to apply it as it is"
	}
	return e.Found + ", and this Kustomization has no spec.decryption: " + outcome + ". Set spec.decryption " +
		"to have it decrypted (Tide cannot decrypt SOPS yet: keep this Kustomization on Flux's " +
		"kustomize-controller until it can), or annotate the object " + decryptKey + ": disabled to apply it as it is"
}

func (e *EncryptedError) Is(target error) bool { return target == ErrEncrypted }

// encryptedError is an ErrEncrypted with the message that names the object.
type encryptedError string

func (e encryptedError) Error() string        { return string(e) }
func (e encryptedError) Is(target error) bool { return target == ErrEncrypted }

func isSecret(obj *unstructured.Unstructured) bool {
	return obj.GetKind() == "Secret" && obj.GetAPIVersion() == "v1"
}

// encryptedKey returns the first key of the Secret's data or stringData
// whose value holds SOPS ciphertext. Values are only searched, never shown.
func encryptedKey(obj *unstructured.Unstructured) (string, bool) {
	data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
	for _, key := range slices.Sorted(maps.Keys(data)) {
		decoded, err := base64.StdEncoding.DecodeString(data[key])
		if err == nil && strings.Contains(string(decoded), sopsValuePrefix) {
			return key, true
		}
	}
	stringData, _, _ := unstructured.NestedStringMap(obj.Object, "stringData")
	for _, key := range slices.Sorted(maps.Keys(stringData)) {
		if strings.Contains(stringData[key], sopsValuePrefix) {
			return key, true
		}
	}
	return "", false
}
