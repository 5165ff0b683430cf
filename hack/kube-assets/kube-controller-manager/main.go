// Command kube-controller-manager is upstream's kube-controller-manager, built
// from the module proxy for the local demo environment (`tide dev up`).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
