module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // The benchmark measures the backend plugin's writers directly, beside native git and the S3 SDK.
    '@backstage/no-mixed-plugin-imports': 'off',
  },
});
