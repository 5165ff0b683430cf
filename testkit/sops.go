package testkit

// SOPSEncryptedSecret is a Secret named db as `sops --encrypt` writes it:
// ciphertext under stringData and a top-level sops field. The ciphertext is
// base64 of "secret", so a test can check it never reaches a status or an
// event by looking for "c2VjcmV0".
const SOPSEncryptedSecret = `apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: ENC[AES256_GCM,data:c2VjcmV0,iv:aXY=,tag:dGFn,type:str]
sops:
  lastmodified: "2026-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.9.0
`
