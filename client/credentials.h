// Where the client's API token comes from, first found wins: an explicit value (`--token`), the environment variable
// MODELREG_TOKEN, the config file ($XDG_CONFIG_HOME/modelreg/config, else ~/.config/modelreg/config), a `key = value`
// file whose `token` line holds it (deploy/quickstart.sh writes it, mode 0600). Empty when none is set.
#pragma once

#include <string>

namespace modelreg {

// The config file's path ("" when neither XDG_CONFIG_HOME nor HOME is set).
std::string ClientConfigPath();
// The `key` value of the config file at `path`, "" when absent.
std::string ReadClientConfigValue(const std::string& path, const std::string& key);
std::string ResolveToken(const std::string& explicit_token);

}  // namespace modelreg
