package receiver

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// readToken reads the token key of the Receiver's Secret.
func readToken(ctx context.Context, c client.Reader, rcv *notificationv1.Receiver) (string, error) {
	if rcv.Spec.SecretRef == nil {
		return "", fmt.Errorf("spec.secretRef is required for receiver type %q", rcv.Spec.Type)
	}
	key := client.ObjectKey{Namespace: rcv.Namespace, Name: rcv.Spec.SecretRef.Name}
	secret := &corev1.Secret{}
	if err := c.Get(ctx, key, secret); err != nil {
		return "", fmt.Errorf("unable to read token from secret '%s' error: %w", key, err)
	}
	token, ok := secret.Data["token"]
	if !ok {
		return "", fmt.Errorf("invalid '%s' secret data: required field 'token'", key)
	}
	return string(token), nil
}
