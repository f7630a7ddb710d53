#include "optim/ema_teacher.h"

#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "core/skippable_update.h"
#include "core/torch_compat.h"

namespace s4seg {

namespace {

using NamedTensors = torch::OrderedDict<std::string, torch::Tensor>;

// Teacher and student must be the same architecture: the same names in the same order with the
// same shapes. Checked on every call because a mismatch would otherwise average unrelated weights
// (or throw deep inside LibTorch with a message that names neither network).
void require_same_layout(const NamedTensors& teacher, const NamedTensors& student, const char* what) {
  require(teacher.size() == student.size(), std::string("ema: teacher and student differ in the number of ") + what);
  for (size_t i = 0; i < teacher.size(); ++i) {
    const auto& t = teacher[i];
    const auto& s = student[i];
    require(t.key() == s.key() && t.value().sizes() == s.value().sizes(),
            std::string("ema: teacher and student differ at ") + what + " '" + t.key() + "'");
  }
}

// dst ← src for every tensor (dtype and device of dst are kept); with `apply`, only where it is true.
void copy_all(const NamedTensors& dst, const NamedTensors& src, const torch::Tensor& apply) {
  for (size_t i = 0; i < dst.size(); ++i) {
    if (apply.defined())
      copy_if(apply, dst[i].value(), src[i].value());
    else
      dst[i].value().copy_(src[i].value());
  }
}

// θ_T ← d·θ_T + (1-d)·θ_S where `apply`, θ_T unchanged elsewhere. On CUDA (LibTorch 2.3+) the
// decay becomes a device scalar (1 when skipped, so θ_T·1 + θ_S·0 = θ_T while θ_S is finite) and
// the update stays a few multi-tensor kernels; elsewhere the plain update runs and a copy taken
// before it is put back where `apply` is false (exact, and the bits match the unguarded path).
void blend_if(const torch::Tensor& apply, std::vector<torch::Tensor>& teacher, const std::vector<torch::Tensor>& student,
              double d) {
#if S4SEG_TORCH_AT_LEAST(2, 3)
  if (teacher.front().is_cuda()) {
    at::_foreach_mul_(teacher, select_scalar(apply, d, 1.0));
    at::_foreach_add_(teacher, at::_foreach_mul(student, select_scalar(apply, 1.0 - d, 0.0)));
    return;
  }
#endif
  const std::vector<torch::Tensor> saved = snapshot(teacher);
  at::_foreach_mul_(teacher, d);
  at::_foreach_add_(teacher, student, 1.0 - d);
  restore_unless(apply, teacher, saved);
}

void require_momentum(double momentum) {
  require(momentum >= 0.0 && momentum <= 1.0, "ema: momentum must be in [0, 1], got " + std::to_string(momentum));
}

}  // namespace

double ema_decay(int64_t t, double momentum) {
  require(t >= 0, "ema: update index must be >= 0, got " + std::to_string(t));
  require_momentum(momentum);
  // 1 - 1/(t+1) = t/(t+1): 0 at the first update, so the teacher starts as an exact copy.
  return std::min(1.0 - 1.0 / static_cast<double>(t + 1), momentum);
}

void EmaTeacher::reset(SegmentationNet& teacher, SegmentationNet& student, const torch::Tensor& apply) {
  require_momentum(options_.momentum);
  check_apply(apply, "ema");
  torch::NoGradGuard no_grad;
  NamedTensors tp = teacher->named_parameters(), sp = student->named_parameters();
  NamedTensors tb = teacher->named_buffers(), sb = student->named_buffers();
  require_same_layout(tp, sp, "parameters");
  require_same_layout(tb, sb, "buffers");
  copy_all(tp, sp, apply);
  copy_all(tb, sb, apply);
  t_ = 0;
}

void EmaTeacher::update(SegmentationNet& teacher, SegmentationNet& student, const torch::Tensor& apply) {
  check_apply(apply, "ema");
  torch::NoGradGuard no_grad;
  NamedTensors tp = teacher->named_parameters(), sp = student->named_parameters();
  require_same_layout(tp, sp, "parameters");
  const double d = ema_decay(t_, options_.momentum);
  // θ_T ← d·θ_T + (1-d)·θ_S, in place so optimizers or hooks holding the teacher's tensors stay valid.
  // Multi-tensor (foreach) calls: on CUDA a few fused kernels for the whole network.
  std::vector<torch::Tensor> teacher_params, student_params;
  for (size_t i = 0; i < tp.size(); ++i) {
    const torch::Tensor& t = tp[i].value();
    teacher_params.push_back(t);
    student_params.push_back(sp[i].value().to(t.device(), t.scalar_type()));
  }
  if (!teacher_params.empty()) {
    if (!apply.defined()) {
      at::_foreach_mul_(teacher_params, d);
      at::_foreach_add_(teacher_params, student_params, 1.0 - d);
    } else {
      blend_if(apply, teacher_params, student_params, d);
    }
  }
  if (options_.bn == BnPolicy::Copy) {
    // Running mean/var and num_batches_tracked are statistics, not weights: averaging them would
    // mix estimates of different feature distributions, so Copy takes the student's as they are.
    NamedTensors tb = teacher->named_buffers(), sb = student->named_buffers();
    require_same_layout(tb, sb, "buffers");
    copy_all(tb, sb, apply);
  }
  ++t_;
}

}  // namespace s4seg
