// Package manifests embeds Tide's install manifests (the generated CRDs and
// each controller's Deployment and RBAC), so that the tide CLI installs
// exactly what this folder holds. Each controller's folder stands alone.
package manifests

import "embed"

// FS holds crds/ and one folder per controller.
//
//go:embed crds source-controller kustomize-controller helm-controller notification-controller image-automation-controller
var FS embed.FS

// Controllers are the folders of FS that install one controller each and
// are installed by default, as Flux's default components.
var Controllers = []string{"source-controller", "kustomize-controller", "helm-controller", "notification-controller"}

// ExtraControllers are the folders of FS installed only when asked for
// (--components-extra), as Flux's extra components.
var ExtraControllers = []string{"image-automation-controller"}

// AllControllers are Controllers and ExtraControllers.
func AllControllers() []string {
	return append(append([]string{}, Controllers...), ExtraControllers...)
}
