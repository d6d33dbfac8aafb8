// Backstage's Prettier rules, with room for a signature on one line.
module.exports = { ...require('@backstage/cli/config/prettier.json'), printWidth: 100 };
