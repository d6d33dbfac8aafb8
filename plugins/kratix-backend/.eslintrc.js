module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  testRules: {
    // Helpers named expect* or writeUpdateDelete assert as they go.
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expect*', 'writeUpdateDelete', 'writeThroughApp'] },
    ],
  },
});
