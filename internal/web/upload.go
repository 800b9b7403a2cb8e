package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"quorum/internal/errs"
)

// UploadedFile reads the multipart field "file" whole: its name and bytes. No file is a
// field error saying missing; an empty one says so; a body over its cap (UploadLimit) is
// the *http.MaxBytesError, which the error middleware answers with 413.
func UploadedFile(c *gin.Context, missing string) (string, []byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, err
		}
		return "", nil, errs.Field("file", "%s", missing)
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "", nil, err
	}
	if len(b) == 0 {
		return "", nil, errs.Field("file", "The file %s is empty", fh.Filename)
	}
	return fh.Filename, b, nil
}
