// Constructors of the methods, one file each; make_method picks one by train.method.
#pragma once
#include <memory>

#include "methods/method.h"

namespace s4seg {

std::unique_ptr<Method> make_supervised(const Config& c, std::shared_ptr<Model> model);
std::unique_ptr<Method> make_fixmatch(const Config& c, std::shared_ptr<Model> model);
std::unique_ptr<Method> make_pcr(const Config& c, std::shared_ptr<Model> model);
std::unique_ptr<Method> make_css(const Config& c, std::shared_ptr<Model> model);
std::unique_ptr<Method> make_rrn(const Config& c, std::shared_ptr<Model> model);
std::unique_ptr<Method> make_rc2l(const Config& c, std::shared_ptr<Model> model);

}  // namespace s4seg
