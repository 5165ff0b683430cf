module github.com/tidegitops/tide/clusterkit

go 1.26.0
