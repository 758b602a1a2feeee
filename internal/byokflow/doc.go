// Package byokflow is the bring-your-own-key workflow: moving an AES-256
// key from a PKCS#11 token into a KMS key of origin EXTERNAL (AWS KMS or
// Trent, through the standard AWS SDK for Go v2 configuration), in one
// run (Import) or air-gapped (GetParamsZip, Export, Upload). The cli
// package parses flags and prints; the console can serve the same
// ImportParameters.zip from here.
//
// # Steps as data
//
// Each workflow is a Plan: a list of Steps, each with its title, what it
// does, and what it undoes when the run fails. Steps are numbered by
// their place in the plan, so progress ("[5/12] …") cannot drift from
// the steps that run, and the undo of a failed run is the Undo of each
// step done so far, newest first (Plan.Run). A workflow's Plan can be
// listed without running it, for help texts (Plan.Describe).
//
// # Checks before changes
//
// Every run that talks to KMS first makes one cheap signed call
// (ListKeys, Limit 1) with a short timeout and no retries, so that a KMS
// that is down or refuses the credentials is reported before the HSM is
// touched or a KMS key made. Import parameters are checked before the
// wrap: the wrapping key spec against the public key, the wrapping
// algorithm against the one the parameters record (KMS binds the import
// token to it and would refuse the material at upload with
// InvalidCiphertextException), and the pair against what KMS accepts for
// SYMMETRIC_DEFAULT material (Params.Check).
//
// # Import parameter files
//
// ReadParams reads ImportParameters.zip as the console delivers it
// (WrappingPublicKey.bin, ImportToken.bin and a README; the earlier
// wrappingKey_<key-id>_<time> and importToken_<key-id>_<time> names too)
// and the JSON of aws kms get-parameters-for-import. WriteParamsZip writes
// the console's layout, with a README that records the key, algorithm,
// spec and expiry.
//
// # HSM objects
//
// The HSM key is named by label, CKA_ID or pkcs11: URI, which are stable
// across sessions. A bare handle number is not on every module (SoftHSM2
// numbers objects anew in each session), so it is acted on only when the
// user confirms it (KeyChoice.Label, ID or ConfirmHandle; see
// pkcs11.FindConfirmed).
package byokflow
