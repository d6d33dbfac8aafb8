export {
  kratixWorkCreatePermission,
  kratixWorkDeletePermission,
  kratixPermissions,
} from '@internal/plugin-kratix-common';
