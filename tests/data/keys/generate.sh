#!/usr/bin/env bash
# Regenerates the RSA test fixtures in this folder with OpenSSL. The committed files are what the
# tests use; rerunning this script makes new keys, so tokens signed in the tests stay valid, but
# anything pinned to a thumbprint would need updating (none is).
#
#   <name>.pk8.der   PKCS#8 private key (DER), for signing in tests with ring
#   <name>.pkcs1.pem PKCS#1 public key ("BEGIN RSA PUBLIC KEY")
#   <name>.spki.pem  SubjectPublicKeyInfo public key ("BEGIN PUBLIC KEY")
#   <name>.pkcs1.der / <name>.spki.der  the same public keys as DER
set -euo pipefail
cd "$(dirname "$0")"

gen() { # name bits [exponent]
  local name=$1 bits=$2 exp=${3:-65537}
  # genpkey's DER output is the traditional PKCS#1 form; pkcs8 -topk8 makes the PKCS#8 ring reads.
  openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -pkeyopt "rsa_keygen_pubexp:$exp" 2>/dev/null |
    openssl pkcs8 -topk8 -nocrypt -outform DER -out "$name.pk8.der"
  openssl pkey -inform DER -in "$name.pk8.der" -pubout -outform PEM -out "$name.spki.pem"
  openssl pkey -inform DER -in "$name.pk8.der" -pubout -outform DER -out "$name.spki.der"
  openssl rsa -inform DER -in "$name.pk8.der" -RSAPublicKey_out -outform PEM -out "$name.pkcs1.pem" 2>/dev/null
  openssl rsa -inform DER -in "$name.pk8.der" -RSAPublicKey_out -outform DER -out "$name.pkcs1.der" 2>/dev/null
}

gen rsa2048-a 2048
gen rsa2048-b 2048
gen rsa2048-c 2048
gen rsa4096 4096
gen rsa8192 8192          # the largest modulus accepted
gen rsa1024 1024          # refused at load: modulus under 2048 bits
gen rsa2048-e3 2048 3     # refused at load: exponent below 65537

# ring signs with keys of at most 4096 bits, so the 8192-bit key's token is signed here, once:
# the test clock's valid claims (nbf = NOW - 10, exp = NOW + 3600, NOW = 2026-01-01T00:00:00Z).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
header=$(printf '%s' '{"alg":"RS256","typ":"JWT"}' | b64url)
claims=$(printf '%s' '{"nbf":1767225590,"exp":1767229200,"iss":"https://issuer.test","aud":"app.test","sub":{"accountId":2,"companyId":2}}' | b64url)
signature=$(printf '%s.%s' "$header" "$claims" |
  openssl dgst -sha256 -sign <(openssl pkey -inform DER -in rsa8192.pk8.der) | b64url)
printf '%s.%s.%s\n' "$header" "$claims" "$signature" >rsa8192.token
