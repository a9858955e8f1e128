// placeholder during dependency build
