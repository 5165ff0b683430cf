module github.com/tidegitops/tide/image-automation-controller

go 1.26.0

replace (
	github.com/tidegitops/tide/api => ../api
	github.com/tidegitops/tide/gitclient => ../gitclient
	github.com/tidegitops/tide/skeleton => ../skeleton
	github.com/tidegitops/tide/testkit => ../testkit
)
