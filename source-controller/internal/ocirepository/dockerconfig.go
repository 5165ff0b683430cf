package ocirepository

import (
	"context"
	"encoding/json"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	sourcev1 "github.com/tidegitops/tide/api/source/v1"
	"github.com/tidegitops/tide/skeleton"
)

// dockerConfig is one Secret's registry credentials.
type dockerConfig struct {
	secret string // the Secret's name, for messages
	data   []byte // a docker config JSON: {"auths": {...}}
}

// dockerConfigs reads the docker config of spec.secretRef, then those of
// the imagePullSecrets of spec.serviceAccountName, in the order Flux asks
// them. Without either, the registry is asked anonymously.
func (r *Reconciler) dockerConfigs(ctx context.Context, obj *sourcev1.OCIRepository) ([]dockerConfig, error) {
	var names []string
	var fields []string
	if ref := obj.Spec.SecretRef; ref != nil {
		names, fields = append(names, ref.Name), append(fields, "spec.secretRef")
	}
	if sa := obj.Spec.ServiceAccountName; sa != "" {
		account := &corev1.ServiceAccount{}
		err := r.Get(ctx, types.NamespacedName{Namespace: obj.Namespace, Name: sa}, account)
		if apierrors.IsNotFound(err) {
			return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
				"service account '%s/%s' named in spec.serviceAccountName does not exist: create it, or fix the name", obj.Namespace, sa)
		}
		if err != nil {
			return nil, skeleton.Retry(sourcev1.AuthenticationFailedReason, err)
		}
		for _, s := range account.ImagePullSecrets {
			names, fields = append(names, s.Name), append(fields, "the imagePullSecrets of service account '"+sa+"'")
		}
	}
	configs := make([]dockerConfig, 0, len(names))
	for i, name := range names {
		secret, err := r.secret(ctx, obj, name, fields[i])
		if err != nil {
			return nil, err
		}
		data, err := dockerConfigJSON(secret)
		if err != nil {
			return nil, err
		}
		configs = append(configs, dockerConfig{secret: name, data: data})
	}
	return configs, nil
}

// dockerConfigJSON returns the Secret's .dockerconfigjson, or its legacy
// .dockercfg (the "auths" object alone) wrapped as one.
func dockerConfigJSON(secret *corev1.Secret) ([]byte, error) {
	if data, ok := secret.Data[corev1.DockerConfigJsonKey]; ok {
		return data, nil
	}
	if data, ok := secret.Data[corev1.DockerConfigKey]; ok {
		var auths map[string]json.RawMessage
		if err := json.Unmarshal(data, &auths); err != nil {
			return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
				"secret '%s': its .dockercfg is not a JSON object: recreate it with 'kubectl create secret docker-registry'", secret.Name)
		}
		return json.Marshal(map[string]any{"auths": auths})
	}
	return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
		"secret '%s' has no .dockerconfigjson: create it with 'kubectl create secret docker-registry' (or 'flux create secret oci')",
		secret.Name)
}

// mergeDockerConfigs joins the "auths" of several docker configs into one;
// for a host named twice, the first Secret wins.
func mergeDockerConfigs(configs []dockerConfig) ([]byte, error) {
	if len(configs) == 1 {
		return configs[0].data, nil
	}
	merged := map[string]json.RawMessage{}
	for _, c := range configs {
		var cfg struct {
			Auths map[string]json.RawMessage `json:"auths"`
		}
		if err := json.Unmarshal(c.data, &cfg); err != nil {
			// The JSON error may quote the content, which holds secrets.
			return nil, skeleton.Stall(sourcev1.AuthenticationFailedReason,
				"secret '%s': its .dockerconfigjson is not valid JSON: recreate it with 'kubectl create secret docker-registry'", c.secret)
		}
		for host, auth := range cfg.Auths {
			if _, ok := merged[host]; !ok {
				merged[host] = auth
			}
		}
	}
	return json.Marshal(map[string]any{"auths": merged})
}
