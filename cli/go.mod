module github.com/tidegitops/tide/cli

go 1.26.0
