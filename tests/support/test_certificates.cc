#include "tests/support/test_certificates.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace modelreg::testing {
namespace {

// Runs a shell command line, its output going to `dir`/openssl.log; INTERNAL with that output when it fails.
absl::Status Run(const std::string& dir, const std::string& command) {
  const std::string log = dir + "/openssl.log";
  if (std::system(absl::StrCat(command, " >", log, " 2>&1").c_str()) == 0) return absl::OkStatus();
  std::ifstream in(log);
  std::stringstream output;
  output << in.rdbuf();
  return absl::InternalError(absl::StrCat("`", command, "` failed:\n", output.str()));
}

// A P-256 key and a certificate for `subject` signed by `ca` (self-signed CA when `ca` is empty).
absl::Status MakeCertificate(const std::string& dir, const std::string& name, const std::string& subject,
                             const std::string& ca, const std::string& extensions) {
  const std::string base = dir + "/" + name;
  const std::string key_options = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  if (ca.empty()) {
    return Run(dir, absl::StrCat("openssl req -x509 ", key_options, " -keyout ", base, ".key -out ", base,
                                 ".pem -days 2 -subj '", subject,
                                 "' -addext basicConstraints=critical,CA:TRUE"
                                 " -addext keyUsage=critical,keyCertSign,cRLSign"));
  }
  std::ofstream(base + ".ext") << extensions << "\n";
  absl::Status status = Run(dir, absl::StrCat("openssl req ", key_options, " -keyout ", base, ".key -out ", base,
                                              ".csr -subj '", subject, "'"));
  if (!status.ok()) return status;
  return Run(dir, absl::StrCat("openssl x509 -req -in ", base, ".csr -CA ", dir, "/", ca, ".pem -CAkey ", dir, "/", ca,
                               ".key -CAcreateserial -days 2 -out ", base, ".pem -extfile ", base, ".ext"));
}

}  // namespace

absl::StatusOr<TestCertificates> CreateTestCertificates() {
  char dir_template[] = "/tmp/modelreg-certs.XXXXXX";
  if (mkdtemp(dir_template) == nullptr) return absl::InternalError("mkdtemp failed");
  const std::string dir = dir_template;
  const std::string client_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth";
  for (const absl::Status& status : {
           MakeCertificate(dir, "ca", "/CN=modelreg test CA", "", ""),
           MakeCertificate(dir, "server", "/CN=localhost", "ca",
                           "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                           "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"),
           MakeCertificate(dir, "client", "/O=modelreg-tests/CN=alice", "ca", client_ext),
           MakeCertificate(dir, "other-ca", "/CN=some other CA", "", ""),
           MakeCertificate(dir, "other-client", "/O=modelreg-tests/CN=mallory", "other-ca", client_ext),
       }) {
    if (!status.ok()) return status;
  }
  TestCertificates c;
  c.dir = dir;
  c.ca_cert = dir + "/ca.pem";
  c.server_cert = dir + "/server.pem";
  c.server_key = dir + "/server.key";
  c.client_cert = dir + "/client.pem";
  c.client_key = dir + "/client.key";
  c.other_ca_cert = dir + "/other-ca.pem";
  c.other_client_cert = dir + "/other-client.pem";
  c.other_client_key = dir + "/other-client.key";
  return c;
}

void RemoveTestCertificates(const TestCertificates& certificates) {
  if (!certificates.dir.empty()) std::filesystem::remove_all(certificates.dir);
}

}  // namespace modelreg::testing
