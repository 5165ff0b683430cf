package v1

import (
	"github.com/fluxcd/pkg/apis/meta"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
)

// GitSpec says what to check out, how to commit and where to push.
type GitSpec struct {
	// Checkout is the ref to clone and change; the GitRepository's
	// spec.ref (or its default) when unset.
	// +optional
	Checkout *GitCheckoutSpec `json:"checkout,omitempty"`

	// Commit says how commits are written.
	// +required
	Commit CommitSpec `json:"commit"`

	// Push says where commits go; the checked-out branch when unset.
	// +optional
	Push *PushSpec `json:"push,omitempty"`
}

// HasRefspec reports whether push.refspec is set.
func (in GitSpec) HasRefspec() bool {
	return in.Push != nil && in.Push.Refspec != ""
}

// GitCheckoutSpec is the ref to clone.
type GitCheckoutSpec struct {
	// Reference is a branch, tag or commit, as a GitRepository's spec.ref.
	// +required
	Reference sourcev1.GitRepositoryRef `json:"ref"`
}

// CommitSpec says how commits are written.
type CommitSpec struct {
	// Author is the commits' author (and committer).
	// +required
	Author CommitUser `json:"author"`

	// SigningKey names a Secret with an OpenPGP or SSH key commits are
	// signed with.
	// +optional
	SigningKey *SigningKey `json:"signingKey,omitempty"`

	// MessageTemplate is a Go template of the commit message, over
	// .AutomationObject, .Changed (file and object changes) and .Values.
	// The .Updated field Flux removed is refused.
	// +optional
	MessageTemplate string `json:"messageTemplate,omitempty"`

	// MessageTemplateValues are the template's .Values.
	// +optional
	MessageTemplateValues map[string]string `json:"messageTemplateValues,omitempty"`
}

// CommitUser is a commit's author.
type CommitUser struct {
	// Name is the author's name.
	// +optional
	Name string `json:"name,omitempty"`

	// Email is the author's email.
	// +required
	Email string `json:"email"`
}

// SigningKey names the Secret, in the automation's namespace, holding the
// key commits are signed with: for gpg an ASCII-armored OpenPGP key under
// git.asc (and its passphrase under passphrase), for ssh a private key
// under identity (and its passphrase under password), the keys a
// GitRepository's SSH Secret uses, so one Secret can serve both.
type SigningKey struct {
	// SecretRef names the Secret holding the key.
	// +required
	SecretRef meta.LocalObjectReference `json:"secretRef"`

	// Type is the key's format: gpg when unset, or ssh.
	// +optional
	Type SigningKeyType `json:"type,omitempty"`
}

// SigningKeyType is the format of a signing key.
// +kubebuilder:validation:Enum=gpg;ssh
type SigningKeyType string

// The values of signingKey.type.
const (
	// SigningKeyTypeGPG reads an OpenPGP key from git.asc.
	SigningKeyTypeGPG SigningKeyType = "gpg"
	// SigningKeyTypeSSH reads an SSH private key from identity.
	SigningKeyTypeSSH SigningKeyType = "ssh"
)

// GetType is the key's type, gpg when unset.
func (in *SigningKey) GetType() SigningKeyType {
	if in.Type == "" {
		return SigningKeyTypeGPG
	}
	return in.Type
}

// PushSpec says where commits are pushed.
type PushSpec struct {
	// Branch is the branch commits are pushed to; it is created from the
	// checked-out ref when missing.
	// +optional
	Branch string `json:"branch,omitempty"`

	// Refspec is a Git refspec the commit is pushed with too (besides
	// Branch, when both are set). Forced ('+') and deleting refspecs are
	// refused.
	// +kubebuilder:validation:Pattern="^$|^[^+:]"
	// +optional
	Refspec string `json:"refspec,omitempty"`

	// Options are push options sent to the server (git push -o).
	// +optional
	Options map[string]string `json:"options,omitempty"`
}
