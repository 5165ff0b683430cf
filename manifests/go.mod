module github.com/tidegitops/tide/manifests

go 1.26.0
