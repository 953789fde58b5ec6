#include "server/domain/query/filter_parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status_macros.h"

namespace modelreg {
namespace {

enum class TokenKind { kEnd, kLParen, kRParen, kComparator, kMinus, kField, kText, kString };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t offset = 0;  // byte offset in the filter
  std::string text;   // field name, bare text, or decoded string (without a trailing wildcard)
  bool wildcard = false;
  Comparator op = Comparator::kEq;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool IsFieldChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '/';
}
bool IsComparatorChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == ':'; }

std::string Describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of filter";
    case TokenKind::kLParen:
      return "`(`";
    case TokenKind::kRParen:
      return "`)`";
    case TokenKind::kComparator:
      return absl::StrCat("`", ComparatorText(token.op), "`");
    case TokenKind::kMinus:
      return "`-`";
    case TokenKind::kField:
    case TokenKind::kText:
      return absl::StrCat("`", token.text.substr(0, 64), token.text.size() > 64 ? "..." : "", "`");
    case TokenKind::kString:
      return "a quoted string";
  }
  return "token";
}

class Parser {
 public:
  Parser(absl::string_view input, absl::string_view field_name) : input_(input), field_name_(field_name) {}

  absl::StatusOr<std::unique_ptr<FilterNode>> Run() {
    if (input_.size() > kMaxFilterLength) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_name_, ": too long (", input_.size(), " bytes); expected at most ", kMaxFilterLength));
    }
    size_t bad = 0;
    if (!IsValidUtf8(input_, &bad)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field_name_, ": invalid UTF-8 at byte ", bad + 1, "; expected UTF-8 text"));
    }
    MODELREG_RETURN_IF_ERROR(Lex());
    if (tokens_[0].kind == TokenKind::kEnd) return std::unique_ptr<FilterNode>();
    MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> expr, ParseExpression(0));
    if (Peek().kind != TokenKind::kEnd) {
      return Error(Peek(), Peek().kind == TokenKind::kRParen ? "unbalanced `)`" : "unexpected " + Describe(Peek()),
                   "AND, OR or the end of the filter");
    }
    return expr;
  }

 private:
  absl::Status ErrorAt(size_t offset, absl::string_view what, absl::string_view expected) const {
    return absl::InvalidArgumentError(absl::StrCat(field_name_, ": ", what, " at column ", ColumnOf(input_, offset),
                                                   expected.empty() ? "" : "; expected ", expected));
  }
  absl::Status Error(const Token& token, absl::string_view what, absl::string_view expected) const {
    return ErrorAt(token.offset, what, expected);
  }

  // ---- Lexer ----

  absl::Status Lex() {
    size_t i = 0;
    const size_t n = input_.size();
    while (true) {
      while (i < n && IsSpace(input_[i])) ++i;
      Token token;
      token.offset = i;
      if (i >= n) {
        tokens_.push_back(std::move(token));
        return absl::OkStatus();
      }
      const bool value_position = !tokens_.empty() && tokens_.back().kind == TokenKind::kComparator;
      const char c = input_[i];
      if (IsControl(static_cast<unsigned char>(c))) {
        return ErrorAt(i, absl::StrCat("control character 0x", absl::Hex(static_cast<unsigned char>(c))),
                       "printable text (use a quoted string with escapes)");
      }
      if (c == '(' || c == ')') {
        token.kind = c == '(' ? TokenKind::kLParen : TokenKind::kRParen;
        ++i;
      } else if (c == '"' || c == '\'') {
        MODELREG_RETURN_IF_ERROR(LexString(i, token));
      } else if (IsComparatorChar(c)) {
        token.kind = TokenKind::kComparator;
        const char next = i + 1 < n ? input_[i + 1] : '\0';
        if (c == '=') {
          token.op = Comparator::kEq;
        } else if (c == ':') {
          token.op = Comparator::kHas;
        } else if (c == '!') {
          if (next != '=') return ErrorAt(i, "unexpected `!`", "`!=` (use NOT or `-` to negate)");
          token.op = Comparator::kNe;
        } else if (c == '<') {
          token.op = next == '=' ? Comparator::kLe : Comparator::kLt;
        } else {
          token.op = next == '=' ? Comparator::kGe : Comparator::kGt;
        }
        i += (c == '!' || ((c == '<' || c == '>') && next == '=')) ? 2 : 1;
      } else if (value_position) {
        // Bare value: runs to whitespace, parenthesis, quote or comparator character (`:` allowed).
        size_t end = i;
        while (end < n) {
          const char d = input_[end];
          if (IsSpace(d) || d == '(' || d == ')' || d == '"' || d == '\'' || (IsComparatorChar(d) && d != ':') ||
              IsControl(static_cast<unsigned char>(d))) {
            break;
          }
          ++end;
        }
        token.kind = TokenKind::kText;
        token.text = std::string(input_.substr(i, end - i));
        if (!token.text.empty() && token.text.back() == '*') {
          token.text.pop_back();
          token.wildcard = true;
        }
        i = end;
      } else if (c == '-') {
        token.kind = TokenKind::kMinus;
        ++i;
      } else if (IsFieldChar(c)) {
        size_t end = i;
        while (end < n && IsFieldChar(input_[end])) ++end;
        token.kind = TokenKind::kField;
        token.text = std::string(input_.substr(i, end - i));
        i = end;
      } else {
        std::string shown = c == '*' ? "*" : std::string(1, c);
        if (static_cast<unsigned char>(c) >= 0x80) shown = "non-ASCII character";
        return ErrorAt(i, absl::StrCat("unexpected ", shown == "non-ASCII character" ? shown : "`" + shown + "`"),
                       "a field name, `(`, NOT or `-`");
      }
      tokens_.push_back(std::move(token));
    }
  }

  absl::Status LexString(size_t& i, Token& token) {
    const size_t start = i;
    const char quote = input_[i++];
    token.kind = TokenKind::kString;
    std::string out;
    bool last_is_wildcard = false;
    while (true) {
      if (i >= input_.size())
        return ErrorAt(start, "unterminated string", absl::StrCat("a closing ", "`", std::string(1, quote), "`"));
      const char c = input_[i];
      if (c == quote) {
        ++i;
        break;
      }
      if (c == '\0') return ErrorAt(i, "NUL byte in string", "text without NUL");
      last_is_wildcard = false;
      if (c == '\\') {
        if (i + 1 >= input_.size()) return ErrorAt(i, "unterminated escape", "an escaped character");
        const char e = input_[i + 1];
        switch (e) {
          case '\\':
          case '"':
          case '\'':
          case '*':
            out.push_back(e);
            break;
          case 'n':
            out.push_back('\n');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case 't':
            out.push_back('\t');
            break;
          default:
            return ErrorAt(i, "unknown escape", "one of \\\\ \\\" \\' \\* \\n \\r \\t");
        }
        i += 2;
        continue;
      }
      if (c == '*') last_is_wildcard = true;
      out.push_back(c);
      ++i;
    }
    if (last_is_wildcard) {
      out.pop_back();
      token.wildcard = true;
    }
    token.text = std::move(out);
    return absl::OkStatus();
  }

  // ---- Parser ----

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool PeekKeyword(absl::string_view keyword) const {
    return Peek().kind == TokenKind::kField && Peek().text == keyword;
  }
  // Whether the next token can begin a term (for implicit AND).
  bool PeekStartsTerm() const {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen || t.kind == TokenKind::kMinus) return true;
    return t.kind == TokenKind::kField && t.text != "AND" && t.text != "OR";
  }

  static std::unique_ptr<FilterNode> Combine(FilterNode::Kind kind, std::vector<std::unique_ptr<FilterNode>> nodes) {
    if (nodes.size() == 1) return std::move(nodes[0]);
    auto node = std::make_unique<FilterNode>();
    node->kind = kind;
    node->children = std::move(nodes);
    return node;
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseExpression(int depth) {
    std::vector<std::unique_ptr<FilterNode>> parts;
    while (true) {
      MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> seq, ParseSequence(depth));
      parts.push_back(std::move(seq));
      if (!PeekKeyword("AND")) break;
      Next();
    }
    return Combine(FilterNode::Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseSequence(int depth) {
    std::vector<std::unique_ptr<FilterNode>> parts;
    do {
      MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> factor, ParseFactor(depth));
      parts.push_back(std::move(factor));
    } while (PeekStartsTerm());
    return Combine(FilterNode::Kind::kAnd, std::move(parts));
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseFactor(int depth) {
    std::vector<std::unique_ptr<FilterNode>> parts;
    while (true) {
      MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> term, ParseTerm(depth));
      parts.push_back(std::move(term));
      if (!PeekKeyword("OR")) break;
      Next();
    }
    return Combine(FilterNode::Kind::kOr, std::move(parts));
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseTerm(int depth) {
    const Token& t = Peek();
    const bool is_not = t.kind == TokenKind::kField && t.text == "NOT";
    if (is_not || t.kind == TokenKind::kMinus) {
      if (depth >= kMaxFilterDepth) {
        return Error(t, absl::StrCat("nesting deeper than ", kMaxFilterDepth), "a simpler filter");
      }
      Next();
      MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> inner, ParseTerm(depth + 1));
      auto node = std::make_unique<FilterNode>();
      node->kind = FilterNode::Kind::kNot;
      node->children.push_back(std::move(inner));
      return node;
    }
    return ParseSimple(depth);
  }

  absl::StatusOr<std::unique_ptr<FilterNode>> ParseSimple(int depth) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      if (depth >= kMaxFilterDepth) {
        return Error(t, absl::StrCat("nesting deeper than ", kMaxFilterDepth), "a simpler filter");
      }
      Next();
      MODELREG_ASSIGN_OR_RETURN(std::unique_ptr<FilterNode> inner, ParseExpression(depth + 1));
      if (Peek().kind != TokenKind::kRParen) {
        return Error(Peek(), absl::StrCat("unexpected ", Describe(Peek())), "`)`, AND or OR");
      }
      Next();
      return inner;
    }
    if (t.kind != TokenKind::kField || t.text == "AND" || t.text == "OR") {
      return Error(t, absl::StrCat("unexpected ", Describe(t)), "a field name, `(`, NOT or `-`");
    }
    if (++terms_ > kMaxFilterTerms) {
      return Error(t, absl::StrCat("more than ", kMaxFilterTerms, " comparisons"), "a shorter filter");
    }
    auto node = std::make_unique<FilterNode>();
    node->kind = FilterNode::Kind::kRestriction;
    node->field = t.text;
    node->field_column = ColumnOf(input_, t.offset);
    Next();
    const Token& op = Peek();
    if (op.kind != TokenKind::kComparator) {
      return Error(op, absl::StrCat("unexpected ", Describe(op), " after `", node->field, "`"),
                   "a comparator (=, !=, <, <=, >, >=, :)");
    }
    node->op = op.op;
    node->op_column = ColumnOf(input_, op.offset);
    Next();
    const Token& value = Peek();
    if (value.kind != TokenKind::kText && value.kind != TokenKind::kString) {
      return Error(value, absl::StrCat("unexpected ", Describe(value), " after `", ComparatorText(node->op), "`"),
                   "a value");
    }
    node->value.text = value.text;
    node->value.quoted = value.kind == TokenKind::kString;
    node->value.wildcard = value.wildcard;
    node->value.column = ColumnOf(input_, value.offset);
    Next();
    return node;
  }

  absl::string_view input_;
  absl::string_view field_name_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int terms_ = 0;
};

}  // namespace

absl::string_view ComparatorText(Comparator op) {
  switch (op) {
    case Comparator::kEq:
      return "=";
    case Comparator::kNe:
      return "!=";
    case Comparator::kLt:
      return "<";
    case Comparator::kLe:
      return "<=";
    case Comparator::kGt:
      return ">";
    case Comparator::kGe:
      return ">=";
    case Comparator::kHas:
      return ":";
  }
  return "?";
}

size_t ColumnOf(absl::string_view text, size_t offset) {
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

bool IsValidUtf8(absl::string_view text, size_t* bad_offset) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    if (i + len > n) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xC0) != 0x80) {
        if (bad_offset != nullptr) *bad_offset = i;
        return false;
      }
      cp = (cp << 6) | (d & 0x3Fu);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

absl::StatusOr<std::unique_ptr<FilterNode>> ParseFilter(absl::string_view filter, absl::string_view field_name) {
  return Parser(filter, field_name).Run();
}

}  // namespace modelreg
