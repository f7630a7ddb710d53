#include "io/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/error.h"

namespace s4seg {

namespace {
[[noreturn]] void io_fail(const std::string& what, const std::string& path, int err) {
  fail(Status::Io, what + " '" + path + "': " + std::strerror(err));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

std::vector<uint8_t> read_file_prefix(const std::string& path, size_t limit) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) io_fail("cannot open", path, errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) io_fail("cannot stat", path, errno);
  if (S_ISDIR(st.st_mode)) io_fail("cannot read", path, EISDIR);
  size_t want = static_cast<size_t>(st.st_size) < limit ? static_cast<size_t>(st.st_size) : limit;
  std::vector<uint8_t> out(want);
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(f.fd, out.data() + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_fail("cannot read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

std::vector<uint8_t> read_file(const std::string& path) { return read_file_prefix(path, SIZE_MAX); }

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::random_device rd;
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd() & 0xffffff);
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f.fd < 0) io_fail("cannot create", tmp, errno);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::unlink(tmp.c_str());
      io_fail("cannot write", tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(f.fd) != 0 || ::close(f.fd) != 0) {
    int err = errno;
    f.fd = -1;
    ::unlink(tmp.c_str());
    io_fail("cannot flush", tmp, err);
  }
  f.fd = -1;
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    io_fail("cannot rename onto", path, err);
  }
}

std::string join_path(const std::string& root, const std::string& rel) {
  if (rel.empty() || rel[0] == '/' || root.empty()) return rel;
  if (root.back() == '/') return root + rel;
  return root + "/" + rel;
}

}  // namespace s4seg
