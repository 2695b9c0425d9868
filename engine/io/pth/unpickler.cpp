// The strict unpickler: an allow-list of opcodes and globals, bounded stack, memo and depth.
#include "engine/io/pth/unpickler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "engine/io/pth/pickle_vocabulary.hpp"

namespace revgan::io::pth {

namespace {

constexpr int64_t k_max_tensor_dims = 16;

class Unpickler {
 public:
  Unpickler(ByteCursor& c, const PersistentLoad& load, const UnpickleLimits& limits)
      : c_(c), load_(load), limits_(limits) {}

  ValuePtr run() {
    op_pos_ = c_.position();
    op_ = c_.u8("opcode");
    if (op_ != 0x80) fail("a pickle must start with PROTO (protocol 2 or later, as torch.save writes)");
    protocol();
    for (;;) {
      op_pos_ = c_.position();
      op_ = c_.u8("opcode");
      if (op_ == '.') return stop();
      step();
    }
  }

 private:
  template <class... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) const {
    REVGAN_FAIL("{}: {} (opcode {} '{}' at offset {})", c_.what(), fmt::format(format, std::forward<Args>(args)...),
                opcode_label(), opcode_name(op_), op_pos_);
  }
  std::string opcode_label() const {
    return op_ >= 0x20 && op_ < 0x7f ? fmt::format("'{}'", static_cast<char>(op_)) : fmt::format("0x{:02x}", op_);
  }

  ValuePtr make(Value::Kind kind) {
    if (++created_ > limits_.max_values) fail("more than {} values: refused", limits_.max_values);
    auto v = std::make_shared<Value>();
    v->kind = kind;
    return v;
  }
  // None, True and False are shared and never change.
  static ValuePtr constant(Value::Kind kind, bool b) {
    auto v = std::make_shared<Value>();
    v->kind = kind;
    v->boolean = b;
    v->frozen = true;
    return v;
  }

  std::size_t base() const { return marks_.empty() ? 0 : marks_.back(); }
  void push(ValuePtr v) {
    if (stack_.size() >= limits_.max_stack) fail("the stack exceeds {} values", limits_.max_stack);
    stack_.push_back(std::move(v));
  }
  ValuePtr pop() {
    if (stack_.size() <= base()) fail("stack underflow");
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  const ValuePtr& top() const {
    if (stack_.size() <= base()) fail("stack underflow");
    return stack_.back();
  }
  std::vector<ValuePtr> pop_mark() {
    if (marks_.empty()) fail("no MARK to pop to");
    std::vector<ValuePtr> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back())),
                                std::make_move_iterator(stack_.end()));
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }

  // `child` goes inside `parent`: it may never change again, and the nesting stays bounded.
  void adopt(Value& parent, const ValuePtr& child) {
    // The parent is not frozen (checked by the caller), and everything it takes in becomes
    // frozen: a cycle would need the parent inside itself, which this check refuses.
    if (child.get() == &parent) fail("a container cannot contain itself");
    if (!child->frozen) child->frozen = true;
    parent.depth = std::max(parent.depth, child->depth + 1);
    if (parent.depth > limits_.max_depth) fail("values nested deeper than {}", limits_.max_depth);
  }
  Value& mutable_container(Value::Kind kind) {
    Value& target = *top();
    if (target.kind != kind)
      fail("expected a {} to add items to, found {}", kind == Value::Kind::dict ? "dict" : "list", describe(target));
    if (target.frozen) fail("a container changed after it was placed in another one");
    return target;
  }

  void protocol() {
    const uint8_t version = c_.u8("protocol");
    if (version < 2 || version > 5) fail("pickle protocol {} is not supported (2 to 5)", version);
  }

  ValuePtr stop() {
    if (!marks_.empty()) fail("a MARK is still open at STOP");
    if (stack_.size() != 1) fail("{} values left on the stack at STOP, expected 1", stack_.size());
    return stack_.front();
  }

  void push_string(uint64_t length, const char* field) {
    ValuePtr v = make(Value::Kind::string);
    v->text = std::string(c_.take_string(length, field));
    push(std::move(v));
  }
  void push_int(int64_t value) {
    ValuePtr v = make(Value::Kind::integer);
    v->integer = value;
    push(std::move(v));
  }

  std::string read_line(const char* field) {
    const std::size_t limit = std::min<std::size_t>(c_.remaining(), limits_.max_global_length + 1);
    const uint8_t* p = c_.data() + c_.position();
    const void* nl = std::memchr(p, '\n', limit);
    if (nl == nullptr) fail("{} is not a line of at most {} characters", field, limits_.max_global_length);
    const auto length = static_cast<std::size_t>(static_cast<const uint8_t*>(nl) - p);
    std::string line(c_.take_string(length, field));
    c_.take(1, field);
    return line;
  }

  void push_global(const std::string& module, const std::string& name) {
    const std::optional<Global> g = allowed_global(module, name);
    if (!g)
      fail(
          "the global '{}.{}' is not allowed in a state dict (only OrderedDict, the tensor rebuild functions and "
          "Float/Double/LongStorage are; nothing is ever executed)",
          module.substr(0, 64), name.substr(0, 64));
    ValuePtr v = make(Value::Kind::global);
    v->text = module + " " + name;
    v->integer = static_cast<int64_t>(*g);
    push(std::move(v));
  }

  void memo_put(uint64_t index) {
    if (!memo_.count(index) && memo_.size() >= limits_.max_memo) fail("the memo exceeds {} entries", limits_.max_memo);
    memo_[index] = top();
  }
  void memo_get(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail("memo entry {} does not exist", index);
    push(it->second);
  }

  void make_tuple(std::vector<ValuePtr> items) {
    ValuePtr t = make(Value::Kind::tuple);
    for (const ValuePtr& item : items) adopt(*t, item);
    t->items = std::move(items);
    push(std::move(t));
  }
  void make_tuple_of(std::size_t n) {
    std::vector<ValuePtr> items(n);
    for (std::size_t i = n; i-- > 0;) items[i] = pop();
    make_tuple(std::move(items));
  }

  void set_items(std::vector<ValuePtr> kv) {
    if (kv.size() % 2 != 0) fail("SETITEMS with an odd number of values");
    Value& d = mutable_container(Value::Kind::dict);
    for (std::size_t i = 0; i < kv.size(); i += 2) {
      adopt(d, kv[i]);
      adopt(d, kv[i + 1]);
      d.dict.emplace_back(std::move(kv[i]), std::move(kv[i + 1]));
    }
  }
  void append_items(std::vector<ValuePtr> items) {
    Value& l = mutable_container(Value::Kind::list);
    for (ValuePtr& item : items) {
      adopt(l, item);
      l.items.push_back(std::move(item));
    }
  }

  int64_t int_arg(const Value& v, const char* what) const {
    if (v.kind != Value::Kind::integer) fail("tensor {}: expected an int, found {}", what, describe(v));
    return v.integer;
  }
  std::vector<int64_t> int_tuple(const Value& v, const char* what) const {
    if (v.kind != Value::Kind::tuple) fail("tensor {}: expected a tuple, found {}", what, describe(v));
    if (static_cast<int64_t>(v.items.size()) > k_max_tensor_dims)
      fail("tensor {}: {} dimensions, at most {} are supported", what, v.items.size(), k_max_tensor_dims);
    std::vector<int64_t> out;
    for (const ValuePtr& item : v.items) out.push_back(int_arg(*item, what));
    return out;
  }

  // _rebuild_tensor(storage, offset, size, stride) and _rebuild_tensor_v2(..., requires_grad,
  // backward_hooks): every element the tensor reads lies inside its storage.
  ValuePtr rebuild_tensor(const Value& args, bool v2) {
    const std::size_t expected = v2 ? 6 : 4;
    if (args.kind != Value::Kind::tuple || args.items.size() != expected)
      fail("{} takes a tuple of {} arguments, found {}", v2 ? "_rebuild_tensor_v2" : "_rebuild_tensor", expected,
           describe(args));
    const Value& storage = *args.items[0];
    if (storage.kind != Value::Kind::storage)
      fail("a tensor's first argument must be a storage, found {}", describe(storage));
    if (v2) {
      if (args.items[4]->kind != Value::Kind::boolean)
        fail("tensor requires_grad: expected a bool, found {}", describe(*args.items[4]));
      const Value& hooks = *args.items[5];
      if (hooks.kind != Value::Kind::dict || !hooks.dict.empty())
        fail("tensor backward hooks must be an empty OrderedDict, found {}", describe(hooks));
    }
    auto record = std::make_unique<TensorRecord>();
    record->storage = *storage.storage;
    record->offset = int_arg(*args.items[1], "offset");
    record->size = int_tuple(*args.items[2], "size");
    record->stride = int_tuple(*args.items[3], "stride");
    if (const std::string why = tensor_record_problem(*record); !why.empty()) fail("{}", why);
    ValuePtr t = make(Value::Kind::tensor);
    t->tensor = std::move(record);
    return t;
  }

  void reduce() {
    ValuePtr args = pop();
    ValuePtr callable = pop();
    if (callable->kind != Value::Kind::global)
      fail("REDUCE of {}: only allowed globals can be called", describe(*callable));
    switch (static_cast<Global>(callable->integer)) {
      case Global::ordered_dict:
        if (args->kind != Value::Kind::tuple || !args->items.empty())
          fail("OrderedDict must be called without arguments, found {}", describe(*args));
        push(make(Value::Kind::dict));
        return;
      case Global::rebuild_tensor_v2:
        push(rebuild_tensor(*args, true));
        return;
      case Global::rebuild_tensor:
        push(rebuild_tensor(*args, false));
        return;
      default:
        fail("'{}' cannot be called", callable->text);
    }
  }

  // BUILD is accepted for one purpose only: the `_metadata` attribute of a state dict.
  void build() {
    ValuePtr state = pop();
    const Value& target = *top();
    if (target.kind != Value::Kind::dict || state->kind != Value::Kind::dict)
      fail("BUILD of {} with {}: only an OrderedDict's _metadata is accepted", describe(target), describe(*state));
    for (const auto& [key, _] : state->dict)
      if (!key->is_string() || key->text != "_metadata")
        fail("BUILD sets attribute {}: only _metadata is accepted", describe(*key));
    if (!state->frozen) state->frozen = true;
  }

  void persistent_id() {
    ValuePtr pid = pop();
    ValuePtr v = load_(*pid);
    if (!v || v->kind != Value::Kind::storage) fail("a persistent id must resolve to a storage");
    if (++created_ > limits_.max_values) fail("more than {} values: refused", limits_.max_values);
    push(std::move(v));
  }

  void step() {
    switch (op_) {
      case 0x80:
        protocol();
        return;
      case 0x95:
        c_.require(c_.u64("frame length"), "a frame");
        return;
      case '(':
        if (marks_.size() >= static_cast<std::size_t>(limits_.max_depth))
          fail("MARKs nested deeper than {}", limits_.max_depth);
        marks_.push_back(stack_.size());
        return;
      case 'N':
        push(none_);
        return;
      case 0x88:
        push(true_);
        return;
      case 0x89:
        push(false_);
        return;
      case 'K':
        push_int(c_.u8("BININT1"));
        return;
      case 'M':
        push_int(c_.u16("BININT2"));
        return;
      case 'J':
        push_int(c_.i32("BININT"));
        return;
      case 0x8a:
        long1();
        return;
      case 'G': {
        const uint64_t bits = __builtin_bswap64(c_.u64("BINFLOAT"));  // big-endian in pickles
        ValuePtr v = make(Value::Kind::floating);
        v->floating = std::bit_cast<double>(bits);
        push(std::move(v));
        return;
      }
      case 'X':
        push_string(c_.u32("BINUNICODE length"), "BINUNICODE");
        return;
      case 0x8c:
        push_string(c_.u8("SHORT_BINUNICODE length"), "SHORT_BINUNICODE");
        return;
      case 0x8d:
        push_string(c_.u64("BINUNICODE8 length"), "BINUNICODE8");
        return;
      case 'U':
        push_string(c_.u8("SHORT_BINSTRING length"), "SHORT_BINSTRING");
        return;
      case 'T': {
        const int32_t n = c_.i32("BINSTRING length");
        if (n < 0) fail("negative string length {}", n);
        push_string(static_cast<uint64_t>(n), "BINSTRING");
        return;
      }
      case '}':
        push(make(Value::Kind::dict));
        return;
      case ']':
        push(make(Value::Kind::list));
        return;
      case ')':
        make_tuple({});
        return;
      case 't':
        make_tuple(pop_mark());
        return;
      case 0x85:
        make_tuple_of(1);
        return;
      case 0x86:
        make_tuple_of(2);
        return;
      case 0x87:
        make_tuple_of(3);
        return;
      case 's': {
        ValuePtr value = pop();
        ValuePtr key = pop();
        set_items({std::move(key), std::move(value)});
        return;
      }
      case 'u':
        set_items(pop_mark());
        return;
      case 'a':
        append_items({pop()});
        return;
      case 'e':
        append_items(pop_mark());
        return;
      case 'q':
        memo_put(c_.u8("BINPUT index"));
        return;
      case 'r':
        memo_put(c_.u32("LONG_BINPUT index"));
        return;
      case 0x94:
        memo_put(memo_.size());
        return;
      case 'h':
        memo_get(c_.u8("BINGET index"));
        return;
      case 'j':
        memo_get(c_.u32("LONG_BINGET index"));
        return;
      case 'c': {
        const std::string module = read_line("GLOBAL module");
        const std::string name = read_line("GLOBAL name");
        push_global(module, name);
        return;
      }
      case 0x93: {
        ValuePtr name = pop();
        ValuePtr module = pop();
        if (!module->is_string() || !name->is_string()) fail("STACK_GLOBAL needs two strings");
        push_global(module->text, name->text);
        return;
      }
      case 'R':
        reduce();
        return;
      case 'b':
        build();
        return;
      case 'Q':
        persistent_id();
        return;
      default:
        fail("this opcode is not allowed in a state dict");
    }
  }

  void long1() {
    const uint8_t n = c_.u8("LONG1 length");
    const uint8_t* p = c_.take(n, "LONG1");
    if (n <= 8) {
      uint64_t v = n == 0 ? 0 : ByteCursor::little_endian(p, n);
      if (n > 0 && n < 8 && (p[n - 1] & 0x80u)) v |= ~uint64_t{0} << (8 * n);  // sign-extend
      push_int(static_cast<int64_t>(v));
      return;
    }
    ValuePtr v = make(Value::Kind::big_integer);
    v->text.assign(reinterpret_cast<const char*>(p), n);
    push(std::move(v));
  }

  ByteCursor& c_;
  const PersistentLoad& load_;
  UnpickleLimits limits_;
  std::vector<ValuePtr> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::size_t created_ = 0;
  std::size_t op_pos_ = 0;
  uint8_t op_ = 0;
  const ValuePtr none_ = constant(Value::Kind::none, false);
  const ValuePtr true_ = constant(Value::Kind::boolean, true);
  const ValuePtr false_ = constant(Value::Kind::boolean, false);
};

}  // namespace

ValuePtr unpickle(ByteCursor& cursor, const PersistentLoad& persistent_load, const UnpickleLimits& limits) {
  return Unpickler(cursor, persistent_load, limits).run();
}

}  // namespace revgan::io::pth
